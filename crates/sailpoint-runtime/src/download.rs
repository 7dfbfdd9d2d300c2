//! Reading a byte-stream response (CSV, ZIP, PDF, a connector file): the
//! whole body, the body as text, or the body streamed to a file or writer
//! as it arrives, never held whole in memory.

use std::path::Path;

use bytes::Bytes;
use futures_util::TryStreamExt;
use progenitor_client::ByteStream;
use tokio::io::{AsyncWrite, AsyncWriteExt};

use crate::{Error, ResponseValue};

/// What a byte-stream response (`ResponseValue<ByteStream>`) can be turned
/// into. In the prelude of the `sailpoint` crate.
///
/// ```no_run
/// # async fn demo(csv: sailpoint_runtime::ResponseValue<progenitor_client::ByteStream>) -> Result<(), sailpoint_runtime::Error> {
/// use sailpoint_runtime::Download;
/// let written = csv.write_to_file("accounts-schema.csv").await?;
/// println!("{written} bytes on disk");
/// # Ok(()) }
/// ```
pub trait Download: Sized + Send {
    /// The whole body, in memory.
    fn bytes(self) -> impl Future<Output = Result<Bytes, Error>> + Send;

    /// The whole body as UTF-8 text; a body that is not UTF-8 is a
    /// [`Decode`](crate::ErrorKind::Decode) error.
    fn text(self) -> impl Future<Output = Result<String, Error>> + Send {
        async {
            let bytes = self.bytes().await?;
            String::from_utf8(bytes.to_vec()).map_err(|e| Error::decoding(format!("the body is not UTF-8 text: {e}"), &bytes))
        }
    }

    /// Streams the body into `writer` chunk by chunk and flushes it;
    /// returns the number of bytes written.
    fn write_to<W: AsyncWrite + Unpin + Send>(self, writer: &mut W) -> impl Future<Output = Result<u64, Error>> + Send;

    /// Streams the body into the file at `path` (created, or truncated);
    /// returns the number of bytes written.
    fn write_to_file(self, path: impl AsRef<Path> + Send) -> impl Future<Output = Result<u64, Error>> + Send {
        async move {
            let mut file = tokio::fs::File::create(path.as_ref()).await.map_err(Error::io)?;
            self.write_to(&mut file).await
        }
    }
}

impl Download for ResponseValue<ByteStream> {
    async fn bytes(self) -> Result<Bytes, Error> {
        let chunks: Vec<Bytes> = self.into_inner()?.into_inner().try_collect().await?;
        Ok(chunks.concat().into())
    }

    async fn write_to<W: AsyncWrite + Unpin + Send>(self, writer: &mut W) -> Result<u64, Error> {
        let mut stream = self.into_inner()?.into_inner();
        let mut written = 0u64;
        while let Some(chunk) = stream.try_next().await? {
            writer.write_all(&chunk).await.map_err(Error::io)?;
            written += chunk.len() as u64;
        }
        writer.flush().await.map_err(Error::io)?;
        Ok(written)
    }
}
