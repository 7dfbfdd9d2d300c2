//! Files in `multipart/form-data` requests.
//!
//! A [`FilePart`] is what a multipart builder's file setter takes: bytes, a
//! path (read as a stream, never whole into memory) or an async reader. The
//! form of a request is kept as a recipe ([`Form`]) and built afresh for
//! each attempt, so an upload from bytes or a path is retried like any
//! other request (a 429, a 401 replay, a 503 of an idempotent method). A
//! reader can be read only once: a request with one gets one attempt.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use bytes::Bytes;
use futures_util::TryStreamExt;
use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderValue};
use tokio::io::AsyncRead;

use crate::Error;

/// A file to upload: bytes, a path or an async reader, with the file name
/// the server sees and a media type (by default the one the file name's
/// extension says: `accounts.csv` → `text/csv`, unknown →
/// `application/octet-stream`).
///
/// ```
/// use sailpoint_runtime::FilePart;
/// let csv = FilePart::bytes("accounts.csv", b"id,name\n1,Ada\n".to_vec());
/// let jar = FilePart::path("build/connector.jar"); // read when sent
/// let piped = FilePart::reader("accounts.csv", tokio::io::empty()).media_type("text/csv");
/// assert!(csv.is_replayable() && jar.is_replayable() && !piped.is_replayable());
/// assert_eq!(jar.name(), Some("connector.jar"));
/// ```
pub struct FilePart {
    content: Content,
    file_name: Option<String>,
    media_type: Option<String>,
}

enum Content {
    Bytes(Bytes),
    /// The path, and its length once checked.
    Path(PathBuf, Option<u64>),
    /// Taken by the first attempt.
    Reader(Mutex<Option<Box<dyn AsyncRead + Send + Unpin>>>),
}

impl FilePart {
    /// The file `file_name` with these bytes (cheap to send again).
    pub fn bytes(file_name: impl Into<String>, bytes: impl Into<Bytes>) -> Self {
        Self::new(Content::Bytes(bytes.into()), Some(file_name.into()))
    }

    /// The file at `path`, named after its last component. It is opened
    /// and streamed when the request is sent, again for each attempt; a
    /// path that is not a readable file is an [`ErrorKind::Io`](crate::ErrorKind::Io)
    /// error before anything is sent. Its length is taken then: an attempt
    /// that finds the file changed (a retry may come minutes later, after a
    /// `Retry-After`) fails instead of sending a cut-off file.
    pub fn path(path: impl Into<PathBuf>) -> Self {
        let path = path.into();
        let file_name = path.file_name().map(|n| n.to_string_lossy().into_owned());
        Self::new(Content::Path(path, None), file_name)
    }

    /// The file `file_name`, read from `reader` as it is sent. A reader
    /// cannot be read twice, so a request with one gets a single attempt:
    /// no retry after a 429 or a 503, no replay after a 401. Use
    /// [`bytes`](Self::bytes) or [`path`](Self::path) to have retries.
    pub fn reader(file_name: impl Into<String>, reader: impl AsyncRead + Send + Unpin + 'static) -> Self {
        Self::new(Content::Reader(Mutex::new(Some(Box::new(reader)))), Some(file_name.into()))
    }

    fn new(content: Content, file_name: Option<String>) -> Self {
        Self { content, file_name, media_type: None }
    }

    /// Sends the file under another name.
    pub fn file_name(mut self, file_name: impl Into<String>) -> Self {
        self.file_name = Some(file_name.into());
        self
    }

    /// Sends the file with this media type (`text/csv`) instead of the
    /// one its name's extension says. One that is not a valid header value
    /// is an [`ErrorKind::InvalidRequest`](crate::ErrorKind::InvalidRequest)
    /// error before anything is sent.
    pub fn media_type(mut self, media_type: impl Into<String>) -> Self {
        self.media_type = Some(media_type.into());
        self
    }

    /// The file name the server sees.
    pub fn name(&self) -> Option<&str> {
        self.file_name.as_deref()
    }

    /// Whether the file can be sent again (bytes and paths can, readers
    /// cannot).
    pub fn is_replayable(&self) -> bool {
        !matches!(self.content, Content::Reader(_))
    }

    /// The media type header: the one set, or the one of the extension.
    fn content_type(&self) -> Result<HeaderValue, Error> {
        match &self.media_type {
            Some(m) => HeaderValue::from_str(m).map_err(|_| Error::invalid_request(format!("`{m}` is not a valid media type"))),
            None => {
                let guessed = mime_guess::from_path(self.file_name.as_deref().unwrap_or_default()).first_or_octet_stream();
                Ok(HeaderValue::from_str(guessed.essence_str()).unwrap_or(HeaderValue::from_static("application/octet-stream")))
            }
        }
    }

    /// Checks, before anything is sent, that a path is a readable file
    /// (and takes its length) and that the media type is valid.
    async fn check(&mut self) -> Result<(), Error> {
        self.content_type()?;
        if let Content::Path(path, length) = &mut self.content {
            let file = tokio::fs::File::open(&*path).await.map_err(|e| io_error(path, e))?;
            let metadata = file.metadata().await.map_err(|e| io_error(path, e))?;
            if !metadata.is_file() {
                return Err(Error::io(std::io::Error::other(format!("{} is not a file", path.display()))));
            }
            *length = Some(metadata.len());
        }
        Ok(())
    }

    /// The part for one attempt; `None` once a reader has been taken.
    fn part(&self) -> Option<reqwest::multipart::Part> {
        use reqwest::multipart::Part;
        let part = match &self.content {
            Content::Bytes(b) => Part::stream_with_length(reqwest::Body::from(b.clone()), b.len() as u64),
            Content::Path(path, length) => {
                let body = reqwest::Body::wrap_stream(file_stream(path.clone(), *length));
                match length {
                    Some(n) => Part::stream_with_length(body, *n),
                    None => Part::stream(body),
                }
            }
            Content::Reader(reader) => {
                let reader = reader.lock().unwrap_or_else(|p| p.into_inner()).take()?;
                Part::stream(reqwest::Body::wrap_stream(tokio_util::io::ReaderStream::new(reader)))
            }
        };
        let mut headers = HeaderMap::new();
        if let Ok(value) = self.content_type() {
            headers.insert(CONTENT_TYPE, value);
        }
        let part = part.headers(headers);
        Some(match &self.file_name {
            Some(name) => part.file_name(name.clone()),
            None => part,
        })
    }
}

impl fmt::Debug for FilePart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("FilePart");
        match &self.content {
            Content::Bytes(b) => d.field("bytes", &b.len()),
            Content::Path(p, _) => d.field("path", p),
            Content::Reader(_) => d.field("reader", &"…"),
        };
        d.field("file_name", &self.file_name).field("media_type", &self.media_type).finish()
    }
}

impl From<&Path> for FilePart {
    fn from(path: &Path) -> Self {
        Self::path(path)
    }
}

impl From<PathBuf> for FilePart {
    fn from(path: PathBuf) -> Self {
        Self::path(path)
    }
}

fn io_error(path: &Path, e: std::io::Error) -> Error {
    Error::io(std::io::Error::new(e.kind(), format!("{}: {e}", path.display())))
}

/// The file's bytes, opened when first polled (so each attempt reads it
/// from the start), and no more than the `length` declared for the part: a
/// file whose length changed since the check (a retry may come minutes
/// later) fails the attempt instead of being sent cut off or overlong.
fn file_stream(
    path: PathBuf,
    length: Option<u64>,
) -> impl futures_util::Stream<Item = Result<Bytes, FileReadError>> + Send + 'static {
    use tokio::io::AsyncReadExt;
    let open = async move {
        let file = tokio::fs::File::open(&path).await?;
        let now = file.metadata().await?.len();
        match length {
            Some(n) if n != now => Err(std::io::Error::other(format!(
                "{} changed during the upload ({n} bytes when it started, {now} now)",
                path.display()
            ))),
            Some(n) => Ok(file.take(n)),
            None => Ok(file.take(u64::MAX)),
        }
    };
    futures_util::stream::once(open).map_ok(tokio_util::io::ReaderStream::new).try_flatten().map_err(FileReadError)
}

/// A file of an upload that could not be read during an attempt; reaches
/// the caller as an [`ErrorKind::Io`](crate::ErrorKind::Io) error, not a
/// transport one.
#[derive(Debug)]
pub(crate) struct FileReadError(std::io::Error);

impl fmt::Display for FileReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for FileReadError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.0)
    }
}

/// Finds a [`FileReadError`] in an error's source chain.
pub(crate) fn file_read_error<'e>(e: &'e (dyn std::error::Error + 'static)) -> Option<&'e FileReadError> {
    let mut next = Some(e);
    while let Some(e) = next {
        if let Some(f) = e.downcast_ref::<FileReadError>() {
            return Some(f);
        }
        next = e.source();
    }
    None
}

/// A `multipart/form-data` body as a recipe: its fields in order, built
/// into a `reqwest` form for each attempt.
#[derive(Debug, Default)]
pub struct Form {
    fields: Vec<(&'static str, Field)>,
}

#[derive(Debug)]
enum Field {
    Text(String),
    Json(String),
    File(FilePart),
}

impl Form {
    /// An empty form.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a text field.
    pub fn text(&mut self, name: &'static str, value: impl ToString) {
        self.fields.push((name, Field::Text(value.to_string())));
    }

    /// Adds a field holding JSON (sent as `application/json`).
    pub fn json(&mut self, name: &'static str, value: &serde_json::Value) {
        self.fields.push((name, Field::Json(value.to_string())));
    }

    /// Adds a file.
    pub fn file(&mut self, name: &'static str, file: FilePart) {
        self.fields.push((name, Field::File(file)));
    }

    /// Whether every field can be sent again.
    pub(crate) fn is_replayable(&self) -> bool {
        self.fields.iter().all(|(_, f)| !matches!(f, Field::File(file) if !file.is_replayable()))
    }

    /// Checks the files before anything is sent ([`FilePart::check`]).
    pub(crate) async fn check(&mut self) -> Result<(), Error> {
        for (name, field) in &mut self.fields {
            if let Field::File(file) = field {
                file.check().await.map_err(|e| e.in_field(name))?;
            }
        }
        Ok(())
    }

    /// `request` with this form as its body, for one attempt; `None` when a
    /// reader was already read.
    pub(crate) fn attach(&self, http: &reqwest::Client, request: reqwest::Request) -> Option<reqwest::Result<reqwest::Request>> {
        let mut form = reqwest::multipart::Form::new();
        for (name, field) in &self.fields {
            let name = *name;
            form = match field {
                Field::Text(value) => form.text(name, value.clone()),
                Field::Json(value) => {
                    let mut headers = HeaderMap::new();
                    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
                    form.part(name, reqwest::multipart::Part::text(value.clone()).headers(headers))
                }
                Field::File(file) => form.part(name, file.part()?),
            };
        }
        Some(reqwest::RequestBuilder::from_parts(http.clone(), request).multipart(form).build())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn media_types_follow_the_extension_unless_set() {
        for (name, expected) in
            [("a.csv", "text/csv"), ("driver.jar", "application/java-archive"), ("x.unknownext", "application/octet-stream")]
        {
            assert_eq!(FilePart::bytes(name, Vec::new()).content_type().unwrap(), expected, "{name}");
        }
        assert_eq!(FilePart::bytes("a.txt", Vec::new()).media_type("text/csv").content_type().unwrap(), "text/csv");
        let bad = FilePart::bytes("a.txt", Vec::new()).media_type("text/csv\n");
        assert_eq!(bad.content_type().unwrap_err().kind(), crate::ErrorKind::InvalidRequest);
    }

    #[test]
    fn a_reader_gives_one_part_bytes_give_many() {
        let reader = FilePart::reader("a.csv", tokio::io::empty());
        assert!(reader.part().is_some() && reader.part().is_none());
        let bytes = FilePart::bytes("a.csv", b"x".to_vec());
        assert!(bytes.part().is_some() && bytes.part().is_some());
    }

    #[tokio::test]
    async fn a_missing_path_fails_the_check_with_its_name() {
        let mut form = Form::new();
        form.file("file", FilePart::path("/nonexistent/accounts.csv"));
        let e = form.check().await.unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::Io);
        assert!(e.to_string().contains("/nonexistent/accounts.csv") && e.to_string().contains("`file`"), "{e}");
        let mut dir = Form::new();
        dir.file("file", FilePart::path(std::env::temp_dir()));
        assert!(dir.check().await.unwrap_err().to_string().contains("is not a file"));
    }

    #[test]
    fn debug_shows_no_content() {
        let text = format!("{:?}", FilePart::bytes("a.csv", b"secret-ish".to_vec()));
        assert!(text.contains("a.csv") && !text.contains("secret"), "{text}");
    }
}
