//! Checksums: `SHA-512(key ‖ canonical(data))` in upper-case hex (concatenation, not HMAC, as
//! every Hive13 client computes it), compared case-insensitively in constant time.

use serde_json::{Value, json};
use sha2::{Digest, Sha512};

use crate::canon::{CanonError, canonical};

/// The checksum of `data` under `key`.
pub fn checksum(key: &[u8], data: &Value) -> Result<String, CanonError> {
    let mut hasher = Sha512::new();
    hasher.update(key);
    hasher.update(canonical(data)?);
    Ok(hex::encode_upper(hasher.finalize()))
}

/// Whether `given` is `expected`, ignoring case, without an early exit.
pub fn checksums_match(expected: &str, given: &str) -> bool {
    let (a, b) = (expected.as_bytes(), given.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |diff, (x, y)| {
        diff | (x.to_ascii_uppercase() ^ y.to_ascii_uppercase())
    }) == 0
}

/// The signed body `{"checksum": …, "data": data}` in canonical form.
pub fn sign(key: &[u8], data: Value) -> Result<String, CanonError> {
    let checksum = checksum(key, &data)?;
    Ok(crate::canon::canonical_text(
        &json!({"checksum": checksum, "data": data}),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY_A16: &[u8] = b"AAAAAAAAAAAAAAAA";

    fn check(key: &[u8], canonical_text: &str, expected: &str) {
        let data: Value = serde_json::from_str(canonical_text).unwrap();
        assert_eq!(
            crate::canon::canonical_text(&data),
            canonical_text,
            "canonical form"
        );
        assert_eq!(checksum(key, &data).unwrap(), expected);
    }

    #[test]
    fn request_vectors() {
        check(
            KEY_A16,
            r#"{"operation":"get_nonce","random_response":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16],"version":2}"#,
            "713B61063A9D6100ABB3D30B8B263B4FBC3116686E61748C36713EF5BBE3D85D0111FFBEA535BF723E606A4C651ED235F348FE923B5A127BBEA6A8FA0AC2C111",
        );
        check(
            KEY_A16,
            r#"{"badge":1052895,"item":"main_door","nonce":"00112233445566778899AABBCCDDEEFF","operation":"access","random_response":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16],"version":2}"#,
            "526771611A7928307393D6E19C26CCA17408FC8EFCD96E093390881D2FB43190B899CFC5CEBA52250FB001886BE04714720B32D8FCF6A2E99735C6ED20A411DF",
        );
        let counting: Vec<u8> = (0..16).collect();
        check(
            &counting,
            r#"{"badge":12345,"nonce":"9F86D081884C7D659A2FEAA0C55AD015","operation":"vend","random_response":[200,13,0,255,77,1,2,3,4,5,6,7,8,9,10,11],"version":2}"#,
            "DC592D87154935EDD1F3BE8AD0A8591B5B811E785506739582D659E5409148877CD0BD74E36443B2E10604C953D4A46C99F65D81E07EC447EEC619D3E6448D1A",
        );
        check(
            b"hive13-test-key!",
            r#"{"log_data":{"item":"soda_machine","temperature":372},"nonce":"00112233445566778899AABBCCDDEEFF","operation":"log","random_response":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16],"version":2}"#,
            "E871043CEE40B881B137A63E0C739B1C296E080746725A35540B92BCB4D21B12F6EE43E802C74AEF4F608A0F82A49E28E2D6A38DD12963A43D9037597AAED709",
        );
        check(
            b"hive13-test-key!",
            r#"{"nonce":"00112233445566778899AABBCCDDEEFF","operation":"soda_status","random_response":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16],"soda_status":[{"slot":1,"sold_out":false},{"slot":2,"sold_out":true}],"version":2}"#,
            "A806DC9ABF66623FB2CCED9163D3AA26DDB75935A2097DDB37066C816570F5361D2D7476418AF3E759BFE8144D4C39FC51D25D1CED1E684FBABE798179A9E4C4",
        );
        check(
            KEY_A16,
            r#"{"nonce":"00112233445566778899AABBCCDDEEFF","operation":"quiet_hours","random_response":[-56,17,0,-1,127,-128,3,4],"version":2}"#,
            "916E3C058CAE92D97AC3F88911B0F46E7A9D63575C1A1A6F1E76103322EA368A4FB6216F8C9922CE0DF7344E7BC1998182968CC438E66DC46C536B099835F425",
        );
        check(
            KEY_A16,
            r#"{"badge":4242,"item":"annex","random":[9,8,7,6,5,4,3,2,1,0,1,2,3,4,5,6],"version":1}"#,
            "462A38217D2AADF5C14EBFD0076389F5DECD5C920A9B4DE291903B801F10BA1C604FC8BAE7FA558BF5022F8929D844141673DDB6E922C447DF78E6E337DFC4FD",
        );
        check(
            b"AAAA",
            r#"{"s":"a\"b\\c\nd\te\u0001f/g"}"#,
            "733449C9D1E78CB16AD639B215475199C71E1C4ACDC6EEC9CB57E86908F89B9B6C339FDAAD94A3E2E2949C1929752C1269B9324ED3A08375EC2D535C4DEF760F",
        );
        check(
            b"AAAA",
            r#"{"item":"café"}"#,
            "C13F7FB680FC802DC6F59175363435B6A51F9E08BBA88A00AE27D36F3B55766A8C97DF7EFB7543091BFB2C21FE819D65B3B18E9750ECD12F7AC4504AE6D86E92",
        );
        check(
            b"",
            r#"{"operation":"get_nonce","version":2}"#,
            "5E61FEB06236B60A50B7304B505ABE09AE4CA02A376876974A1237C5DDBABB2AFBF7D7473049E6279CA113D09CDD3F41757CC9EE5AD95FA415249C85F5F1CCA1",
        );
    }

    fn response_data(extra: Value) -> Value {
        let mut data = serde_json::json!({
            "new_nonce": "0123456789ABCDEF0123456789ABCDEF", "nonce_valid": true,
            "random": [11,48,85,122,159,196,233,14,51,88,125,162,199,236,17,54],
            "random_response": [1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16], "response": true, "version": 1
        });
        for (key, value) in extra.as_object().unwrap() {
            data[key] = value.clone();
        }
        data
    }

    #[test]
    fn response_vectors() {
        let r1 = sign(KEY_A16, response_data(serde_json::json!({}))).unwrap();
        assert_eq!(
            r1,
            r#"{"checksum":"478520D19996386C474231BD6EA1DA743AD1A545827351FC875283614F2DC0541DD403C40FC9DC7B1FA88B0C12D339247D8A1B24076E93D23F2296BAC7D125D5","data":{"new_nonce":"0123456789ABCDEF0123456789ABCDEF","nonce_valid":true,"random":[11,48,85,122,159,196,233,14,51,88,125,162,199,236,17,54],"random_response":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16],"response":true,"version":1}}"#
        );
        let cases = [
            (
                serde_json::json!({"access": true}),
                "4EDE12048A3F1D5E07302FE43462E79D26DF93EF2AD1054B124F20651B1CCFEB8F29C07195866A73E0D961164B44072BACD86D1985B390A1A424DD4367E17CF6",
            ),
            (
                serde_json::json!({"error": "Have a soda.", "vend": true}),
                "6DA29600435C3D5F5AFC7BEE32AC0A18837BEEB9E17177E8E975767AB81D2ECD0A2D6FB6B1E45F29E4E0B918A4A71B3216D200D861F6877EFB4FC1DA5655C091",
            ),
            (
                serde_json::json!({"access": false, "error": "Unknown badge "}),
                "608C21A27949E1AE512C90DEBD63E92F6A14642395044D2A89FA59399262A6CB47067FBEDD25C821FA3149A7B85C67959E14DDFEE35CD2B8B7E29E56BC18E6BC",
            ),
        ];
        for (extra, expected) in cases {
            assert_eq!(
                checksum(KEY_A16, &response_data(extra.clone())).unwrap(),
                expected,
                "{extra}"
            );
        }
        let mut r4 =
            response_data(serde_json::json!({"data": "Invalid checksum.", "response": false}));
        r4.as_object_mut().unwrap().remove("random_response");
        assert_eq!(
            checksum(KEY_A16, &r4).unwrap(),
            "1C6A9544D0A801E0ADEA5DE07E54034CEC99D531AA23F853C132AB915132188F69E19AD5ECB39B3825BFDB62DD02B019F426056DF12D70159619FB73BE480751"
        );
        r4["data"] = "Invalid nonce.".into();
        r4["nonce_valid"] = false.into();
        assert_eq!(
            checksum(KEY_A16, &r4).unwrap(),
            "39647482287F73EAB73DA6FE26C17ED6916EB5CBF0FFDCAA7DD6A079F316FD5BAB79D5787F7A31D17B6E9E10A27DEDFE29E7F44AA1E7D21F0E8ACEC697C000F5"
        );
    }

    #[test]
    fn comparison_ignores_case_and_length_matters() {
        assert!(checksums_match("ABCDEF", "abcdef"));
        assert!(!checksums_match("ABCDEF", "ABCDEE"));
        assert!(!checksums_match("ABCDEF", "ABCDE"));
        assert!(!checksums_match("ABCDEF", ""));
    }
}
