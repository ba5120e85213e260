//! The language server's stdio transport, with bounds. lsp-server's own
//! reader trusts `Content-Length`: a 40-byte message asking for 2^32 bytes
//! aborts the process on the allocation, and a header line without an end
//! grows without limit. Here a header line is at most
//! [`MAX_HEADER_LINE`] bytes, a message has at most [`MAX_HEADERS`] header
//! lines and [`MAX_MESSAGE_BYTES`] of content, and the content buffer grows
//! only as bytes arrive. A message over a bound ends the session with
//! E0925 on stderr (exit status 1): the stream cannot be trusted after it.

use std::io::{self, BufRead, Read, Write};
use std::thread;

use crossbeam_channel::{bounded, Receiver, Sender};
use lsp_server::Message;

use crate::diag::{Code, Diagnostic};

/// Longest header line, `\r\n` included.
pub const MAX_HEADER_LINE: usize = 4096;
/// Most header lines in one message.
pub const MAX_HEADERS: usize = 32;
/// Largest message content: a `didOpen` of the largest `.cnn` file cnnc
/// reads (64 MiB) with every byte escaped in JSON.
pub const MAX_MESSAGE_BYTES: usize = 160 << 20;

/// Why the input stream stopped being readable.
#[derive(Debug)]
pub enum Fault {
    /// A bound of the transport was crossed, or a header is malformed.
    Bad(String),
    /// The stream itself failed.
    Io(io::Error),
}

impl Fault {
    pub fn diagnostic(&self) -> Diagnostic {
        let why = match self {
            Fault::Bad(s) => s.clone(),
            Fault::Io(e) => e.to_string(),
        };
        Diagnostic::error(
            Code::BadLspMessage,
            format!("cannot read the client's message: {why}"),
        )
        .with_help(format!(
            "messages are `Content-Length: N\\r\\n\\r\\n` and N bytes of JSON, N at most {MAX_MESSAGE_BYTES}"
        ))
    }
}

fn bad(s: impl Into<String>) -> Fault {
    Fault::Bad(s.into())
}

/// One header line with its `\r\n` removed, read at most
/// [`MAX_HEADER_LINE`] bytes far; `None` at the end of the stream.
fn header_line(r: &mut impl BufRead) -> Result<Option<Vec<u8>>, Fault> {
    let mut line = Vec::new();
    let n = r
        .take(MAX_HEADER_LINE as u64)
        .read_until(b'\n', &mut line)
        .map_err(Fault::Io)?;
    if n == 0 {
        return Ok(None);
    }
    if !line.ends_with(b"\r\n") {
        return Err(if n == MAX_HEADER_LINE {
            bad(format!(
                "a header line is longer than {MAX_HEADER_LINE} bytes"
            ))
        } else {
            bad("a header line does not end with `\\r\\n`")
        });
    }
    line.truncate(line.len() - 2);
    Ok(Some(line))
}

/// The next message; `None` when the stream ends between messages.
pub fn read_message(r: &mut impl BufRead) -> Result<Option<Message>, Fault> {
    let mut length = None;
    for i in 0.. {
        if i > MAX_HEADERS {
            return Err(bad(format!("more than {MAX_HEADERS} header lines")));
        }
        let Some(line) = header_line(r)? else {
            return if i == 0 {
                Ok(None)
            } else {
                Err(bad("the stream ended inside the headers"))
            };
        };
        if line.is_empty() {
            break;
        }
        let text = String::from_utf8_lossy(&line);
        let (name, value) = text
            .split_once(": ")
            .ok_or_else(|| bad(format!("malformed header `{}`", clip(&text))))?;
        if name.eq_ignore_ascii_case("Content-Length") {
            let n: u64 = value
                .trim()
                .parse()
                .map_err(|_| bad(format!("`Content-Length: {}`", clip(value))))?;
            if n > MAX_MESSAGE_BYTES as u64 {
                return Err(bad(format!(
                    "`Content-Length: {n}` is over the {MAX_MESSAGE_BYTES}-byte cap"
                )));
            }
            length = Some(n as usize);
        }
    }
    let length = length.ok_or_else(|| bad("no `Content-Length` header"))?;
    // Grows as the bytes come: a length the stream never delivers costs
    // only what was delivered.
    let mut body = Vec::new();
    r.take(length as u64)
        .read_to_end(&mut body)
        .map_err(Fault::Io)?;
    if body.len() < length {
        return Err(bad(format!(
            "the stream ended {} bytes into a {length}-byte message",
            body.len()
        )));
    }
    serde_json::from_slice(&body)
        .map(Some)
        .map_err(|e| bad(format!("the message is not a JSON-RPC message: {e}")))
}

fn clip(s: &str) -> String {
    s.chars().take(40).collect()
}

/// The reader and writer threads of a session over stdin/stdout.
pub struct Threads {
    reader: thread::JoinHandle<Result<(), Fault>>,
    writer: thread::JoinHandle<io::Result<()>>,
}

impl Threads {
    /// Waits for both; the reader's fault first, then the writer's.
    pub fn join(self) -> Result<(), Fault> {
        let read = self
            .reader
            .join()
            .unwrap_or_else(|_| Err(bad("the reader thread panicked")));
        let write = self
            .writer
            .join()
            .unwrap_or_else(|_| Err(io::Error::other("the writer thread panicked")));
        read?;
        write.map_err(Fault::Io)
    }
}

/// A connection over stdin/stdout through the bounded reader.
pub fn stdio() -> (Sender<Message>, Receiver<Message>, Threads) {
    let (to_server, from_client) = bounded::<Message>(0);
    let (to_client, from_server) = bounded::<Message>(0);
    let writer = thread::spawn(move || {
        let stdout = io::stdout();
        let mut out = stdout.lock();
        for msg in from_server {
            msg.write(&mut out)?;
        }
        out.flush()
    });
    let reader = thread::spawn(move || {
        let stdin = io::stdin();
        let mut input = stdin.lock();
        while let Some(msg) = read_message(&mut input)? {
            let exit = matches!(&msg, Message::Notification(n) if n.method == "exit");
            if to_server.send(msg).is_err() || exit {
                break;
            }
        }
        Ok(())
    });
    (to_client, from_client, Threads { reader, writer })
}

/// Reads every message of `data` until its end or the first fault: the
/// body of the `lsp_transport` fuzz target, which must never panic or
/// allocate more than the bounds allow.
pub fn fuzz_one(data: &[u8]) {
    let mut r = io::BufReader::new(data);
    while let Ok(Some(_)) = read_message(&mut r) {}
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(bytes: &[u8]) -> Result<Vec<Message>, Fault> {
        let mut r = io::BufReader::new(bytes);
        let mut out = Vec::new();
        while let Some(m) = read_message(&mut r)? {
            out.push(m);
        }
        Ok(out)
    }

    fn framed(body: &str) -> String {
        format!("Content-Length: {}\r\n\r\n{body}", body.len())
    }

    #[test]
    fn well_formed_messages_are_read_in_order() {
        let text = framed(r#"{"jsonrpc":"2.0","id":1,"method":"shutdown"}"#)
            + &framed(r#"{"jsonrpc":"2.0","method":"exit"}"#);
        let msgs = read_all(text.as_bytes()).unwrap();
        assert_eq!(msgs.len(), 2);
    }

    #[test]
    fn a_huge_content_length_is_refused_without_allocating_it() {
        for n in [
            "4294967296",
            "18446744073709551615",
            "99999999999999999999999",
        ] {
            let text = format!("Content-Length: {n}\r\n\r\n{{}}");
            let e = read_all(text.as_bytes()).unwrap_err();
            assert!(matches!(e, Fault::Bad(_)), "{n}");
        }
        // Under the cap but never delivered: only the delivered bytes.
        let text = format!("Content-Length: {}\r\n\r\n{{}}", MAX_MESSAGE_BYTES);
        assert!(read_all(text.as_bytes()).is_err());
    }

    #[test]
    fn header_lines_and_counts_are_bounded() {
        let long = format!("X-A: {}\r\n\r\n", "a".repeat(MAX_HEADER_LINE * 4));
        assert!(read_all(long.as_bytes()).is_err());
        let many = "X-A: b\r\n".repeat(MAX_HEADERS + 2) + "\r\n";
        assert!(read_all(many.as_bytes()).is_err());
        assert!(read_all(b"Content-Length: 2\n\n{}").is_err());
        assert!(read_all(b"\r\n").is_err());
        fuzz_one(b"Content-Length: 1\r\n\r\n\xff");
    }

    /// The `fuzz/fuzz_targets/lsp_transport.rs` body on stable Rust: a
    /// fixed number of seeded inputs built from the pieces a transport
    /// sees (header lines, `Content-Length` values from 0 to 2^64 - 1 and
    /// malformed ones, separators, bodies, raw bytes). Each must end in
    /// messages or a refusal; a panic or an allocation past the caps
    /// fails the test (the process aborts).
    #[test]
    fn seeded_raw_bytes_end_in_a_message_or_a_refusal() {
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = move |n: u64| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state % n.max(1)
        };
        let lengths = [
            "0",
            "2",
            "17",
            "4096",
            "167772160",
            "167772161",
            "4294967296",
            "18446744073709551615",
            "18446744073709551616",
            "-1",
            "",
            " 5",
            "1e3",
        ];
        for _ in 0..20_000 {
            let mut data = Vec::new();
            for _ in 0..next(4) + 1 {
                match next(6) {
                    0 => {
                        let n = lengths[next(lengths.len() as u64) as usize];
                        data.extend_from_slice(format!("Content-Length: {n}").as_bytes());
                    }
                    1 => data.extend_from_slice(b"Content-Type: application/vscode-jsonrpc"),
                    2 => data.extend((0..next(64)).map(|_| next(256) as u8)),
                    3 => data.extend_from_slice(br#"{"jsonrpc":"2.0","method":"exit"}"#),
                    4 => data.extend((0..next(5000)).map(|_| b'a' + next(26) as u8)),
                    _ => {}
                }
                data.extend_from_slice([&b"\r\n"[..], b"\n", b"\r\n\r\n", b""][next(4) as usize]);
            }
            fuzz_one(&data);
        }
    }
}
