//! A minimal LSP client for the tests: runs `cnnc lsp`, frames JSON-RPC
//! messages with `Content-Length`, and waits for answers with a deadline,
//! so a server that hangs fails the test instead of blocking it.
// Each test uses a different subset of these.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

/// Longest any single answer may take.
pub const DEADLINE: Duration = Duration::from_secs(10);

pub struct Client {
    child: Child,
    stdin: Option<ChildStdin>,
    incoming: Receiver<Value>,
    next_id: i64,
    /// Notifications received while waiting for something else.
    pub notifications: Vec<Value>,
    /// Every `publishDiagnostics` received, taken from `notifications` or not.
    pub publications: usize,
}

impl Client {
    /// Starts `cnnc lsp` and runs `initialize`/`initialized` with the
    /// given client capabilities; returns the client and the result.
    pub fn start(capabilities: Value) -> (Client, Value) {
        let mut client = Client::spawn();
        let result = client.request(
            "initialize",
            json!({ "processId": null, "rootUri": null, "capabilities": capabilities }),
        );
        client.notify("initialized", json!({}));
        (client, result.expect("initialize succeeds"))
    }

    /// Starts `cnnc lsp` without initializing it.
    pub fn spawn() -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_cnnc"))
            .arg("lsp")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("cnnc lsp starts");
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, incoming) = channel();
        std::thread::spawn(move || {
            let mut r = BufReader::new(stdout);
            while let Some(msg) = read_message(&mut r) {
                if tx.send(msg).is_err() {
                    break;
                }
            }
        });
        let stdin = child.stdin.take();
        Client {
            child,
            stdin,
            incoming,
            next_id: 1,
            notifications: Vec::new(),
            publications: 0,
        }
    }

    pub fn send(&mut self, msg: &Value) {
        let body = msg.to_string();
        let stdin = self.stdin.as_mut().expect("stdin open");
        write!(stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).expect("server reads");
        stdin.flush().expect("server reads");
    }

    pub fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    /// Sends a request; returns its result, or its error object as `Err`.
    pub fn request(&mut self, method: &str, params: Value) -> Result<Value, Value> {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        let msg = self.wait(|m| m.get("id") == Some(&json!(id)) && m.get("method").is_none());
        match msg.get("error") {
            Some(e) => Err(e.clone()),
            None => Ok(msg.get("result").cloned().unwrap_or(Value::Null)),
        }
    }

    /// The next message satisfying `pred`; others are kept as notifications.
    pub fn wait(&mut self, pred: impl Fn(&Value) -> bool) -> Value {
        let end = Instant::now() + DEADLINE;
        loop {
            let left = end.saturating_duration_since(Instant::now());
            let msg = self.incoming.recv_timeout(left);
            if let Ok(m) = &msg {
                if m["method"] == "textDocument/publishDiagnostics" {
                    self.publications += 1;
                }
            }
            match msg {
                Ok(m) if pred(&m) => return m,
                Ok(m) => self.notifications.push(m),
                Err(RecvTimeoutError::Timeout) => panic!("no answer from cnnc lsp in {DEADLINE:?}"),
                Err(RecvTimeoutError::Disconnected) => panic!("cnnc lsp closed its output"),
            }
        }
    }

    /// The next `publishDiagnostics` for `uri` with `version` (any version
    /// if `None`), looking first at those already received.
    pub fn diagnostics(&mut self, uri: &str, version: Option<i64>) -> Value {
        let fits = |m: &Value| {
            m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"] == uri
                && version.is_none_or(|v| m["params"]["version"] == json!(v))
        };
        if let Some(i) = self.notifications.iter().position(fits) {
            return self.notifications.remove(i)["params"].clone();
        }
        self.wait(fits)["params"].clone()
    }

    /// Closes the server's input and waits for it to exit.
    pub fn finish(mut self) -> ExitStatus {
        drop(self.stdin.take());
        let end = Instant::now() + DEADLINE;
        loop {
            if let Some(status) = self.child.try_wait().expect("wait works") {
                return status;
            }
            assert!(Instant::now() < end, "cnnc lsp did not exit");
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// `shutdown` then `exit`, as a client ends a session.
    pub fn shutdown(mut self) -> ExitStatus {
        assert_eq!(self.request("shutdown", Value::Null), Ok(Value::Null));
        self.notify("exit", Value::Null);
        self.finish()
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        // A failed test must not leave a server behind.
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

fn read_message(r: &mut impl BufRead) -> Option<Value> {
    let mut len = None;
    loop {
        let mut line = String::new();
        if r.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(v) = line.strip_prefix("Content-Length:") {
            len = v.trim().parse::<usize>().ok();
        }
    }
    let mut body = vec![0; len?];
    r.read_exact(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
}

/// The LSP position of the end of `text`: lines split at `\r\n`, `\r` or
/// `\n`, columns in UTF-16 units.
pub fn end_position(text: &str) -> Value {
    let (mut line, mut col) = (0u32, 0u32);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' if chars.peek() == Some(&'\n') => {
                chars.next();
                line += 1;
                col = 0;
            }
            '\r' | '\n' => {
                line += 1;
                col = 0;
            }
            c => col += c.len_utf16() as u32,
        }
    }
    json!({ "line": line, "character": col })
}

/// A `file://` URI for a test document.
pub fn uri(name: &str) -> String {
    format!("file:///cnnc-test/{name}")
}
