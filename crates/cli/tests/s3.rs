//! Evidence on a real S3-compatible server (moto's server mode, installed by `.ci/run`): two
//! `weiquan serve` nodes on one PostgreSQL share `--blob-url s3://…`; what one stores the other
//! reads, and `weiquan audit verify` rehashes the objects there and notices one overwritten.

mod common;

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::*;
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};
use weiquan_domain::Policy;
use weiquan_store::postgres::{PgStore, ScratchDatabase};

const BUCKET: &str = "weiquan-evidence";
const PREFIX: &str = "node-test";

/// A real 1×1 PNG.
const PNG: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4,
    0x89, 0x00, 0x00, 0x00, 0x0A, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0x00, 0x01, 0x00, 0x00,
    0x05, 0x00, 0x01, 0x0D, 0x0A, 0x2D, 0xB4, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE,
    0x42, 0x60, 0x82,
];

/// `moto_server` on a free port, killed on drop.
struct Moto {
    endpoint: String,
    child: Child,
}

impl Moto {
    async fn start() -> Moto {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut child = Command::new("python3")
            .args([
                "-m",
                "moto.server",
                "-H",
                "127.0.0.1",
                "-p",
                &port.to_string(),
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("python3 runs");
        let endpoint = format!("http://127.0.0.1:{port}");
        // Up once it answers; gone at once if moto is not installed.
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(status) = child.try_wait().unwrap() {
                panic!(
                    "moto's S3 server exited ({status}): install it with \
                     `pip install 'moto[server]==5.2.6'` (.ci/run does)"
                );
            }
            if reqwest::get(&endpoint).await.is_ok() {
                break;
            }
            assert!(Instant::now() < deadline, "moto_server did not start");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Moto { endpoint, child }
    }

    /// The object URL of a stored blob, as `BlobStore` lays them out under the prefix.
    fn object_url(&self, sha: &str) -> String {
        let (e, b, p) = (&self.endpoint, BUCKET, PREFIX);
        format!("{e}/{b}/{p}/{}/{}/{sha}", &sha[..2], &sha[2..4])
    }

    /// What a node needs to reach it: the documented `AWS_*` variables.
    fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("AWS_ENDPOINT", self.endpoint.clone()),
            ("AWS_ALLOW_HTTP", "true".into()),
            ("AWS_ACCESS_KEY_ID", "test".into()),
            ("AWS_SECRET_ACCESS_KEY", "test".into()),
            ("AWS_REGION", "us-east-1".into()),
        ]
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `weiquan audit verify` on the nodes' database and bucket.
fn audit_verify(
    data: &std::path::Path,
    db: &str,
    blob_url: &str,
    env: &[(&str, String)],
) -> std::process::Output {
    Command::new(BIN)
        .args([
            "audit",
            "verify",
            "--database-url",
            db,
            "--blob-url",
            blob_url,
        ])
        .arg("--data-dir")
        .arg(data)
        .env("WEIQUAN_LOG", "warn")
        .env("WEIQUAN_DATABASE_CONNECTIONS", NODE_CONNECTIONS)
        .envs(env.iter().map(|(k, v)| (k, v)))
        .output()
        .expect("the weiquan binary runs")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn evidence_on_s3_is_shared_by_nodes_and_audited() {
    let moto = Moto::start().await;
    let http = reqwest::Client::new();
    let r = http
        .put(format!("{}/{BUCKET}", moto.endpoint))
        .send()
        .await
        .unwrap();
    assert!(
        r.status().is_success(),
        "creating the bucket: {}",
        r.status()
    );

    let admin = std::env::var("WEIQUAN_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let db = ScratchDatabase::create(&admin, "weiquan_test")
        .await
        .expect("PostgreSQL is needed for the S3 test");
    let dir = tempfile::tempdir().unwrap();
    {
        let store = PgStore::open_pooled(
            &db.url,
            &dir.path().join("seed-blobs"),
            Policy::default(),
            weiquan_store::blob::DEFAULT_MAX_BLOB,
            2,
        )
        .await
        .unwrap();
        seed(&store, "shop-s", "2027", 1, 1).await;
    }

    let blob_url = format!("s3://{BUCKET}/{PREFIX}");
    let env = moto.env();
    let env_ref: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let args = [
        "--database-url",
        db.url.as_str(),
        "--blob-url",
        blob_url.as_str(),
    ];
    let nodes: Vec<Server> = (0..2)
        .map(|i| {
            let data = dir.path().join(format!("node{i}"));
            Server::start_env(&data, &args, &env_ref)
        })
        .collect();
    let (one, two) = (&nodes[0].base, &nodes[1].base);

    // Node 1: a complaint and a photo of it.
    let buyer = login(&http, one, "buyer000").await;
    let body = complaint(
        "202700000000000000",
        json!({"kind": "refund", "amount_cents": 9900}),
    );
    let r = http
        .post(format!("{one}/api/v1/complaints"))
        .bearer_auth(&buyer)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let id = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let form = Form::new()
        .part("file", Part::bytes(PNG.to_vec()).file_name("crack.png"))
        .text("kind", "photo");
    let r = http
        .post(format!("{one}/api/v1/complaints/{id}/evidence"))
        .bearer_auth(&buyer)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let sha = r.json::<Value>().await.unwrap()["sha256"]
        .as_str()
        .unwrap()
        .to_owned();

    // It is in the bucket, not on node 1's disk (moto lists a bucket to anyone) …
    let listing = http
        .get(format!("{}/{BUCKET}?list-type=2", moto.endpoint))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let key = moto
        .object_url(&sha)
        .replace(&format!("{}/{BUCKET}/", moto.endpoint), "");
    let entry = format!("<Key>{key}</Key>");
    assert!(listing.contains(&entry), "{listing}");
    assert!(
        listing.contains(&format!("<Size>{}</Size>", PNG.len())),
        "{listing}"
    );
    // … and node 2 reads it back, byte for byte.
    let buyer2 = login(&http, two, "buyer000").await;
    let r = http
        .get(format!("{two}/api/v1/complaints/{id}/evidence/{sha}"))
        .bearer_auth(&buyer2)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.bytes().await.unwrap().as_ref(), PNG);

    // The audit rehashes the object in the bucket and finds it good.
    let out = audit_verify(&dir.path().join("audit"), &db.url, &blob_url, &env);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("evidence files intact"), "{stdout}");
    assert!(!stdout.contains(" 0 evidence files"), "{stdout}");

    // Overwritten behind weiquan's back, straight in the bucket: the audit says which.
    // moto checks no signatures, but overwrites an object only for a named account.
    let account = "AWS4-HMAC-SHA256 Credential=test/20270101/us-east-1/s3/aws4_request, \
                   SignedHeaders=host, Signature=00";
    let r = http
        .put(moto.object_url(&sha))
        .header("authorization", account)
        .body(b"not the photo".to_vec())
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "tampering: {}", r.status());
    let out = audit_verify(&dir.path().join("audit"), &db.url, &blob_url, &env);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "a tampered blob passed the audit");
    assert!(stderr.contains(&sha), "{stderr}");
    drop(nodes);
}
