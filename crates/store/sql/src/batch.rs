//! Group commit: writes that arrive together are stored together. Each caller still waits until
//! its own row is committed (and gets its own answer), so nothing is acknowledged before it is
//! durable, but under load one statement stores a whole batch instead of one round trip and one
//! commit per row. Used for what every device request writes: the access log and nonces.

use std::future::Future;

use offimic_store::{StoreError, StoreResult};
use tokio::sync::{mpsc, oneshot};

/// Rows handed to one write, at most.
pub const BATCH_LIMIT: usize = 512;

type Ack<R> = oneshot::Sender<Result<R, String>>;

/// A queue whose rows are written in batches by a task of its own; each row gets an `R` back.
#[derive(Debug)]
pub struct BatchQueue<T, R = ()> {
    sender: mpsc::Sender<(T, Ack<R>)>,
}

impl<T, R> Clone for BatchQueue<T, R> {
    fn clone(&self) -> Self {
        Self {
            sender: self.sender.clone(),
        }
    }
}

impl<T: Send + 'static, R: Clone + Send + 'static> BatchQueue<T, R> {
    /// Starts the writing task; `write` stores one batch (in as few statements as it can) and
    /// answers for each row, in order.
    pub fn start<W, F>(write: W) -> Self
    where
        W: Fn(Vec<T>) -> F + Send + 'static,
        F: Future<Output = StoreResult<Vec<R>>> + Send,
    {
        let (sender, mut receiver) = mpsc::channel::<(T, Ack<R>)>(BATCH_LIMIT * 4);
        tokio::spawn(async move {
            while let Some(first) = receiver.recv().await {
                let mut rows = Vec::with_capacity(BATCH_LIMIT);
                let mut acks = Vec::with_capacity(BATCH_LIMIT);
                let (row, ack) = first;
                rows.push(row);
                acks.push(ack);
                while rows.len() < BATCH_LIMIT {
                    match receiver.try_recv() {
                        Ok((row, ack)) => {
                            rows.push(row);
                            acks.push(ack);
                        }
                        Err(_) => break,
                    }
                }
                match write(rows).await {
                    Ok(answers) if answers.len() == acks.len() => {
                        for (ack, answer) in acks.into_iter().zip(answers) {
                            let _ = ack.send(Ok(answer));
                        }
                    }
                    Ok(_) => {
                        for ack in acks {
                            let _ = ack.send(Err(
                                "a batch write answered for the wrong number of rows".into(),
                            ));
                        }
                    }
                    Err(error) => {
                        let message = error.to_string();
                        for ack in acks {
                            let _ = ack.send(Err(message.clone()));
                        }
                    }
                }
            }
        });
        Self { sender }
    }

    /// Queues `row` and waits until the batch holding it is written; returns its answer.
    pub async fn push(&self, row: T) -> StoreResult<R> {
        let (ack, done) = oneshot::channel();
        self.sender
            .send((row, ack))
            .await
            .map_err(|_| StoreError::Backend("the write queue has stopped".into()))?;
        done.await
            .map_err(|_| StoreError::Backend("the write queue has stopped".into()))?
            .map_err(|message| StoreError::Backend(message.into()))
    }
}

/// `($1, $2, …), ($k+1, …)`: placeholders for `rows` rows of `columns` values.
pub fn placeholders(rows: usize, columns: usize) -> String {
    let mut text = String::with_capacity(rows * columns * 5);
    for row in 0..rows {
        if row > 0 {
            text.push_str(", ");
        }
        text.push('(');
        for column in 0..columns {
            if column > 0 {
                text.push_str(", ");
            }
            text.push('$');
            text.push_str(&(row * columns + column + 1).to_string());
        }
        text.push(')');
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    #[test]
    fn placeholders_number_every_value() {
        assert_eq!(placeholders(2, 3), "($1, $2, $3), ($4, $5, $6)");
        assert_eq!(placeholders(1, 1), "($1)");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn every_row_is_written_once_and_acknowledged() {
        let written = Arc::new(Mutex::new(Vec::new()));
        let batches = Arc::new(Mutex::new(0));
        let (w, b) = (written.clone(), batches.clone());
        let queue = BatchQueue::start(move |rows: Vec<u32>| {
            let (w, b) = (w.clone(), b.clone());
            async move {
                let answers = rows.iter().map(|r| r * 2).collect();
                w.lock().unwrap().extend(rows);
                *b.lock().unwrap() += 1;
                Ok(answers)
            }
        });
        let pushes: Vec<_> = (0..1000u32)
            .map(|i| {
                let queue = queue.clone();
                tokio::spawn(async move { (i, queue.push(i).await) })
            })
            .collect();
        for push in pushes {
            let (i, answer) = push.await.unwrap();
            assert_eq!(answer.unwrap(), i * 2, "each caller gets its own answer");
        }
        let mut rows = written.lock().unwrap().clone();
        rows.sort();
        assert_eq!(rows, (0..1000).collect::<Vec<_>>());
        assert!(*batches.lock().unwrap() <= 1000);
    }

    #[tokio::test]
    async fn a_failed_batch_fails_every_caller_in_it() {
        let queue: BatchQueue<u32> = BatchQueue::start(|_rows: Vec<u32>| async {
            Err(StoreError::Corrupt("disk full".into()))
        });
        let error = queue.push(1).await.unwrap_err();
        assert!(error.to_string().contains("disk full"));
    }
}
