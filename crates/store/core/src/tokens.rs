//! API tokens for agents and scripts. Only a hash of each token is stored.

use async_trait::async_trait;
use jiff::Timestamp;

use crate::StoreResult;

/// A token to store; `token_hash` is the SHA-256 of the secret, in hex.
#[derive(Debug, Clone)]
pub struct NewApiToken {
    pub name: String,
    pub token_hash: String,
    pub scopes: Vec<String>,
    pub created_at: Timestamp,
}

/// A stored token (never the secret itself).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiTokenRecord {
    pub id: i64,
    pub name: String,
    pub scopes: Vec<String>,
    pub created_at: Timestamp,
}

#[async_trait]
pub trait ApiTokenStore {
    /// Stores a new token; a name already in use is a `Conflict`.
    async fn create_api_token(&self, token: NewApiToken) -> StoreResult<ApiTokenRecord>;

    /// The token whose secret hashes to `token_hash`.
    async fn find_api_token(&self, token_hash: &str) -> StoreResult<Option<ApiTokenRecord>>;

    async fn list_api_tokens(&self) -> StoreResult<Vec<ApiTokenRecord>>;

    /// Deletes the token called `name`; false when there was none.
    async fn revoke_api_token(&self, name: &str) -> StoreResult<bool>;
}
