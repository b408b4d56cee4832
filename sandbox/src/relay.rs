//! A TCP relay that makes a connection through it cost what one over a slow link does:
//! every byte is delivered a fixed one-way delay after it was sent, in each direction, and
//! the first byte a client sends two one-way delays later still, the TCP handshake's round
//! trip that a client connecting to a relay on its own machine would not otherwise pay.
//!
//! This is how the network benchmark adds distance: netem, the kernel's way, is not built
//! into every kernel (not into the one these machines run), and a relay is the same on all.

use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio::time::{Instant, sleep_until};

/// Relays every connection accepted on `listener` to `upstream`, delayed by `one_way` each
/// way, until the task is dropped.
pub async fn relay(
    listener: TcpListener,
    upstream: SocketAddr,
    one_way: Duration,
) -> std::io::Result<()> {
    loop {
        let (client, _) = listener.accept().await?;
        // The client's SYN was answered just now; on the slow link its first data could
        // arrive three one-way delays after it started to connect.
        let accepted = Instant::now();
        tokio::spawn(async move {
            let Ok(server) = TcpStream::connect(upstream).await else {
                return;
            };
            let _ = client.set_nodelay(true);
            let _ = server.set_nodelay(true);
            let (client_read, client_write) = client.into_split();
            let (server_read, server_write) = server.into_split();
            let first_byte = accepted + one_way * 3;
            tokio::join!(
                pipe(client_read, server_write, one_way, first_byte),
                pipe(server_read, client_write, one_way, accepted),
            );
        });
    }
}

/// Copies `from` to `to`, each chunk delivered `delay` after it was read and never before
/// `not_before`; order is kept. The end of the stream is delivered the same way.
async fn pipe(
    mut from: OwnedReadHalf,
    mut to: OwnedWriteHalf,
    delay: Duration,
    not_before: Instant,
) {
    let (sender, mut receiver) = mpsc::unbounded_channel::<(Instant, Vec<u8>)>();
    let reader = async move {
        let mut buffer = vec![0u8; 64 * 1024];
        loop {
            let read = from.read(&mut buffer).await.unwrap_or(0);
            let due = (Instant::now() + delay).max(not_before);
            // An empty chunk is the end of the stream.
            if sender.send((due, buffer[..read].to_vec())).is_err() || read == 0 {
                return;
            }
        }
    };
    let writer = async move {
        while let Some((due, chunk)) = receiver.recv().await {
            sleep_until(due).await;
            if chunk.is_empty() || to.write_all(&chunk).await.is_err() {
                break;
            }
        }
        let _ = to.shutdown().await;
    };
    tokio::join!(reader, writer);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Times from a client's connect to its first echoed byte, and of one more round trip,
    /// through a relay in front of an echo server, with tokio's clock paused so the figures
    /// are exact and the test waits for nothing.
    #[tokio::test(start_paused = true)]
    async fn a_connection_pays_a_handshake_and_each_exchange_a_round_trip() {
        let echo = TcpListener::bind("127.0.0.1:0").await.expect("bind echo");
        let echo_addr = echo.local_addr().expect("echo address");
        tokio::spawn(async move {
            while let Ok((mut stream, _)) = echo.accept().await {
                tokio::spawn(async move {
                    let mut buffer = [0u8; 64];
                    while let Ok(n @ 1..) = stream.read(&mut buffer).await {
                        if stream.write_all(&buffer[..n]).await.is_err() {
                            return;
                        }
                    }
                });
            }
        });
        let front = TcpListener::bind("127.0.0.1:0").await.expect("bind relay");
        let front_addr = front.local_addr().expect("relay address");
        let one_way = Duration::from_millis(25);
        tokio::spawn(relay(front, echo_addr, one_way));

        let started = Instant::now();
        let mut client = TcpStream::connect(front_addr).await.expect("connect");
        let mut byte = [0u8; 1];
        client.write_all(b"a").await.expect("write");
        client.read_exact(&mut byte).await.expect("read");
        // Connect (one round trip) plus the first exchange (one more).
        assert_eq!(
            started.elapsed(),
            one_way * 4,
            "connect and first round trip"
        );
        let second = Instant::now();
        client.write_all(b"b").await.expect("write");
        client.read_exact(&mut byte).await.expect("read");
        assert_eq!(byte, *b"b");
        assert_eq!(second.elapsed(), one_way * 2, "a later round trip");
    }
}
