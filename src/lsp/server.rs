//! The server loop: the handshake, then one message at a time. Changes are
//! applied at once but checked lazily: diagnostics go out once no message
//! has arrived for [`QUIET`] (a burst of typing is checked once), and at
//! the latest [`MAX_DELAY`] after the first unpublished change. Requests
//! analyse the current text on demand. Every handler runs under
//! `catch_unwind`: a bug answers one request with an error, it does not
//! take the server down.

use std::collections::BTreeMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::{Duration, Instant};

use crossbeam_channel::RecvTimeoutError;
use lsp_server::{Connection, ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types::notification::{
    DidChangeTextDocument, DidCloseTextDocument, DidOpenTextDocument, Notification as _,
    PublishDiagnostics, ShowMessage,
};
use lsp_types::request::{
    CodeActionRequest, Completion, DocumentSymbolRequest, Formatting, GotoDefinition, HoverRequest,
    Request as _, Shutdown,
};
use lsp_types::{
    CodeActionParams, CompletionParams, DocumentFormattingParams, DocumentSymbolParams,
    GotoDefinitionParams, HoverParams, MessageType, PublishDiagnosticsParams, ShowMessageParams,
    TextDocumentPositionParams, Uri,
};
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::analysis::Analysis;
use super::capabilities;
use super::documents::Documents;
use super::position::{Encoding, LineIndex};
use super::{code_actions, completion, definition, diagnostics, formatting, hover, symbols};

/// Quiet time after the last message before changed documents are checked.
pub const QUIET: Duration = Duration::from_millis(40);
/// Longest a change waits for its diagnostics while messages keep coming.
pub const MAX_DELAY: Duration = Duration::from_millis(300);

/// Why the loop ended, which decides the exit status.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum End {
    /// `exit` after `shutdown`: status 0.
    Clean,
    /// `exit` without `shutdown`, or the client's input ended: status 1.
    Abrupt,
    /// Our output cannot be written (the client is gone): status 1, and the
    /// reader may still be blocked on input, so nobody should wait for it.
    Unwritable,
}

pub fn serve(conn: &Connection) -> End {
    let Some(encoding) = handshake(conn) else {
        return End::Abrupt;
    };
    let mut server = Server {
        conn,
        encoding,
        docs: Documents::default(),
        pending: BTreeMap::new(),
        shutdown: false,
    };
    server.run()
}

/// Answers `initialize` (other requests before it get
/// `ServerNotInitialized`); `None` if the client left first.
fn handshake(conn: &Connection) -> Option<Encoding> {
    loop {
        match conn.receiver.recv().ok()? {
            Message::Request(req) if req.method == "initialize" => {
                let encoding = Encoding::negotiate(&offered_encodings(&req.params));
                let result = serde_json::json!({
                    "capabilities": capabilities::server(encoding),
                    "serverInfo": { "name": "cnnc", "version": env!("CARGO_PKG_VERSION") },
                });
                send(conn, Response::new_ok(req.id, result).into())?;
                return Some(encoding);
            }
            Message::Request(req) => {
                let resp = Response::new_err(
                    req.id,
                    ErrorCode::ServerNotInitialized as i32,
                    "the server is not initialized yet".to_string(),
                );
                send(conn, resp.into())?;
            }
            Message::Notification(n) if n.method == "exit" => return None,
            // Notifications before `initialize` are dropped, as the protocol says.
            _ => {}
        }
    }
}

/// `capabilities.general.positionEncodings`, read leniently: a client that
/// sends a malformed list gets the default encoding, not an error.
fn offered_encodings(params: &Value) -> Vec<lsp_types::PositionEncodingKind> {
    params
        .pointer("/capabilities/general/positionEncodings")
        .and_then(|v| serde_json::from_value(v.clone()).ok())
        .unwrap_or_default()
}

fn send(conn: &Connection, msg: Message) -> Option<()> {
    conn.sender.send(msg).ok()
}

struct Server<'c> {
    conn: &'c Connection,
    encoding: Encoding,
    docs: Documents,
    /// Documents changed since their diagnostics were last published, with
    /// the time of the first such change.
    pending: BTreeMap<Uri, Instant>,
    shutdown: bool,
}

impl Server<'_> {
    fn run(&mut self) -> End {
        loop {
            let msg = if self.pending.is_empty() {
                match self.conn.receiver.recv() {
                    Ok(m) => m,
                    Err(_) => return End::Abrupt,
                }
            } else {
                match self.conn.receiver.recv_timeout(QUIET) {
                    Ok(m) => m,
                    Err(RecvTimeoutError::Timeout) => {
                        self.publish_pending(|_| true);
                        continue;
                    }
                    Err(RecvTimeoutError::Disconnected) => return End::Abrupt,
                }
            };
            match msg {
                Message::Request(req) => {
                    let resp = self.request(req);
                    if send(self.conn, resp.into()).is_none() {
                        return End::Unwritable;
                    }
                }
                Message::Notification(n) if n.method == "exit" => {
                    return if self.shutdown {
                        End::Clean
                    } else {
                        End::Abrupt
                    };
                }
                Message::Notification(n) => self.notification(n),
                // We send no requests, so no response is expected.
                Message::Response(_) => {}
            }
            let now = Instant::now();
            self.publish_pending(|since| now.duration_since(since) >= MAX_DELAY);
        }
    }

    fn request(&mut self, req: Request) -> Response {
        let id = req.id.clone();
        if self.shutdown {
            return Response::new_err(
                id,
                ErrorCode::InvalidRequest as i32,
                "the server is shutting down".to_string(),
            );
        }
        if req.method == Shutdown::METHOD {
            self.shutdown = true;
            return Response::new_ok(id, ());
        }
        let method = req.method.clone();
        match catch_unwind(AssertUnwindSafe(|| self.dispatch(req))) {
            Ok(Ok(value)) => Response::new_ok(id, value),
            Ok(Err((code, message))) => Response::new_err(id, code as i32, message),
            Err(_) => internal_error(id, &method),
        }
    }

    /// The result of one request, or an error code and message.
    fn dispatch(&mut self, req: Request) -> Result<Value, (ErrorCode, String)> {
        match req.method.as_str() {
            HoverRequest::METHOD => {
                let p: HoverParams = params(req.params)?;
                self.at(p.text_document_position_params, |a, _, ix, off| {
                    hover::hover(a, ix, off)
                })
            }
            GotoDefinition::METHOD => {
                let p: GotoDefinitionParams = params(req.params)?;
                let uri = p.text_document_position_params.text_document.uri.clone();
                self.at(p.text_document_position_params, |a, _, ix, off| {
                    definition::definition(a, ix, &uri, off)
                })
            }
            Completion::METHOD => {
                let p: CompletionParams = params(req.params)?;
                self.at(p.text_document_position, |a, text, _, off| {
                    completion::complete(a, text, off)
                })
            }
            DocumentSymbolRequest::METHOD => {
                let p: DocumentSymbolParams = params(req.params)?;
                self.whole(&p.text_document.uri, |a, _, ix| symbols::symbols(a, ix))
            }
            Formatting::METHOD => {
                let p: DocumentFormattingParams = params(req.params)?;
                let mut refused = None;
                let result = self.whole(
                    &p.text_document.uri,
                    |a, text, ix| match formatting::format(a, text, ix) {
                        formatting::Outcome::Edits(edits) => edits,
                        formatting::Outcome::Refused(why) => {
                            refused = Some(why);
                            Vec::new()
                        }
                    },
                );
                if let Some(why) = refused {
                    self.show(MessageType::INFO, why);
                }
                result
            }
            CodeActionRequest::METHOD => {
                let p: CodeActionParams = params(req.params)?;
                let uri = p.text_document.uri.clone();
                self.whole(&p.text_document.uri, |a, _, ix| {
                    let (s, e) = (ix.offset(p.range.start), ix.offset(p.range.end));
                    code_actions::actions(a, ix, &uri, (s.min(e), s.max(e)))
                })
            }
            other => Err((
                ErrorCode::MethodNotFound,
                format!("cnnc lsp does not handle `{other}`"),
            )),
        }
    }

    /// Runs `f` on an open document's analysis, text and line index;
    /// `null` for a document that is not open.
    fn whole<R: serde::Serialize>(
        &mut self,
        uri: &Uri,
        f: impl FnOnce(&Analysis, &str, &LineIndex) -> R,
    ) -> Result<Value, (ErrorCode, String)> {
        let encoding = self.encoding;
        let Some(doc) = self.docs.get_mut(uri) else {
            return Ok(Value::Null);
        };
        let (text, analysis) = doc.analysed();
        let index = LineIndex::new(text, encoding);
        Ok(to_json(f(analysis, text, &index)))
    }

    /// [`Self::whole`] with the byte offset of a position request.
    fn at<R: serde::Serialize>(
        &mut self,
        p: TextDocumentPositionParams,
        f: impl FnOnce(&Analysis, &str, &LineIndex, usize) -> R,
    ) -> Result<Value, (ErrorCode, String)> {
        let position = p.position;
        self.whole(&p.text_document.uri, |a, text, ix| {
            f(a, text, ix, ix.offset(position))
        })
    }

    fn notification(&mut self, n: Notification) {
        let method = n.method.clone();
        let outcome = catch_unwind(AssertUnwindSafe(|| self.handle_notification(n)));
        if outcome.is_err() {
            eprintln!("cnnc lsp: internal error handling `{method}`; the server goes on");
        }
    }

    fn handle_notification(&mut self, n: Notification) {
        let now = Instant::now();
        match n.method.as_str() {
            DidOpenTextDocument::METHOD => {
                if let Ok(p) = params::<lsp_types::DidOpenTextDocumentParams>(n.params) {
                    let doc = p.text_document;
                    self.docs.open(doc.uri.clone(), doc.text, doc.version);
                    self.pending.entry(doc.uri).or_insert(now);
                }
            }
            DidChangeTextDocument::METHOD => {
                if let Ok(p) = params::<lsp_types::DidChangeTextDocumentParams>(n.params) {
                    let uri = p.text_document.uri;
                    if let Some(doc) = self.docs.get_mut(&uri) {
                        for change in p.content_changes {
                            doc.apply(change, self.encoding);
                        }
                        doc.version = p.text_document.version;
                        self.pending.entry(uri).or_insert(now);
                    }
                }
            }
            DidCloseTextDocument::METHOD => {
                if let Ok(p) = params::<lsp_types::DidCloseTextDocumentParams>(n.params) {
                    let uri = p.text_document.uri;
                    self.pending.remove(&uri);
                    if self.docs.close(&uri) {
                        // Clear what the client shows for the closed file.
                        self.publish(uri, Vec::new(), None);
                    }
                }
            }
            // `initialized`, `didSave`, `$/cancelRequest` (requests are
            // answered in order, fast) and the rest need nothing.
            _ => {}
        }
    }

    /// Publishes diagnostics of the pending documents for which `due` holds.
    fn publish_pending(&mut self, due: impl Fn(Instant) -> bool) {
        let ready: Vec<Uri> = self
            .pending
            .iter()
            .filter(|(_, &since)| due(since))
            .map(|(u, _)| u.clone())
            .collect();
        for uri in ready {
            self.pending.remove(&uri);
            let enc = self.encoding;
            let checked = catch_unwind(AssertUnwindSafe(|| {
                let doc = self.docs.get_mut(&uri)?;
                let version = doc.version;
                let (text, analysis) = doc.analysed();
                Some((
                    diagnostics::all(&analysis.diagnostics, text, enc, &uri),
                    version,
                ))
            }));
            match checked {
                Ok(Some((list, version))) => self.publish(uri, list, Some(version)),
                Ok(None) => {}
                Err(_) => {
                    eprintln!("cnnc lsp: internal error checking a document; the server goes on")
                }
            }
        }
    }

    fn publish(&self, uri: Uri, diagnostics: Vec<lsp_types::Diagnostic>, version: Option<i32>) {
        let params = PublishDiagnosticsParams {
            uri,
            diagnostics,
            version,
        };
        let _ = send(
            self.conn,
            Notification::new(PublishDiagnostics::METHOD.to_string(), params).into(),
        );
    }

    fn show(&self, typ: MessageType, message: &str) {
        let params = ShowMessageParams {
            typ,
            message: message.to_string(),
        };
        let _ = send(
            self.conn,
            Notification::new(ShowMessage::METHOD.to_string(), params).into(),
        );
    }
}

fn params<P: DeserializeOwned>(v: Value) -> Result<P, (ErrorCode, String)> {
    serde_json::from_value(v)
        .map_err(|e| (ErrorCode::InvalidParams, format!("invalid params: {e}")))
}

fn to_json(v: impl serde::Serialize) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

fn internal_error(id: RequestId, method: &str) -> Response {
    eprintln!("cnnc lsp: internal error answering `{method}`; the server goes on");
    Response::new_err(
        id,
        ErrorCode::InternalError as i32,
        format!("internal error in cnnc answering `{method}`"),
    )
}
