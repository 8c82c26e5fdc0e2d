//! `weiquan audit verify`, `export`, `verify-bundle` and `key`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use weiquan_domain::bundle::BundleScope;
use weiquan_domain::{CaseId, ComplaintId, Lang, ShopId, parse_day_or_time};
use weiquan_store::bundle::{PlatformKey, parse_public_key};
use weiquan_store::{Clock, SystemClock};

use crate::StoreArgs;

/// Which key signs bundles.
#[derive(clap::Args, Clone, Debug, Default)]
pub struct KeyArgs {
    /// The platform's Ed25519 signing key: a file every node sharing PostgreSQL reads (make one
    /// with `weiquan audit key --new FILE`). Default: DATA_DIR/platform.key, made on first use.
    #[arg(
        long = "platform-key",
        env = "WEIQUAN_PLATFORM_KEY_FILE",
        value_name = "FILE"
    )]
    pub file: Option<PathBuf>,
}

impl KeyArgs {
    pub fn load(&self, data_dir: &Path) -> anyhow::Result<PlatformKey> {
        PlatformKey::for_node(data_dir, self.file.as_deref()).with_context(|| {
            format!(
                "cannot read or make the platform key {}",
                PlatformKey::path_for_node(data_dir, self.file.as_deref()).display()
            )
        })
    }
}

#[derive(clap::Subcommand)]
pub enum AuditCommand {
    /// Recompute every event chain and evidence hash; non-zero and the first broken record if any.
    Verify {
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Write the authorities' bundle (电子商务法 Art. 62) of a complaint, a case, a shop or a
    /// period: records, every event of their chains, the evidence files and a manifest signed
    /// with the platform key. The export is recorded on the exporter's account chain.
    #[command(group(clap::ArgGroup::new("scope").required(true).args(["complaint", "case", "shop", "from"])))]
    Export {
        #[command(flatten)]
        store: StoreArgs,
        #[command(flatten)]
        key: KeyArgs,
        #[arg(long)]
        complaint: Option<i64>,
        #[arg(long)]
        case: Option<i64>,
        /// A shop's id, e.g. shop-009.
        #[arg(long)]
        shop: Option<String>,
        /// A period's start: a day (Asia/Shanghai) or an RFC 3339 time; with --to (exclusive).
        #[arg(long, requires = "to")]
        from: Option<String>,
        #[arg(long, requires = "from")]
        to: Option<String>,
        /// The regulator's or admin's username the export is made and recorded as.
        #[arg(long = "as", value_name = "USERNAME")]
        by: String,
        /// Where to write it; default: the bundle's own name in the current directory.
        #[arg(long, short)]
        out: Option<PathBuf>,
    },
    /// Check a bundle with nothing but the file: every chain, every digest, the signature.
    /// Non-zero and the first broken record (file, stream and seq) if anything is wrong.
    VerifyBundle {
        file: PathBuf,
        /// The public key (64 hex digits, from `weiquan audit key`) the bundle must be signed with.
        #[arg(long)]
        key: Option<String>,
    },
    /// Print the platform's public key (64 hex digits), making the data dir's key on first use;
    /// `--new FILE` makes a new key in FILE instead (a shared or a rotated key).
    Key {
        #[arg(long, default_value = "./weiquan-data", env = "WEIQUAN_DATA_DIR")]
        data_dir: PathBuf,
        #[command(flatten)]
        key: KeyArgs,
        #[arg(long, value_name = "FILE", conflicts_with = "file")]
        new: Option<PathBuf>,
    },
}

pub async fn run(cmd: AuditCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        AuditCommand::Verify { store } => {
            let store = crate::serve::open_store(&store).await?;
            match store.verify().await? {
                Ok(r) => {
                    println!(
                        "audit ok: {} chains, {} events, {} complaints, {} evidence files intact",
                        r.streams, r.events, r.complaints, r.blobs
                    );
                    Ok(ExitCode::SUCCESS)
                }
                Err(broken) => {
                    eprintln!("审计失败 / audit FAILED: {broken}");
                    Ok(ExitCode::FAILURE)
                }
            }
        }
        AuditCommand::Export {
            store,
            key,
            complaint,
            case,
            shop,
            from,
            to,
            by,
            out,
        } => {
            let scope = match (complaint, case, shop, from, to) {
                (Some(id), ..) => BundleScope::Complaint(ComplaintId(id)),
                (_, Some(id), ..) => BundleScope::Case(CaseId(id)),
                (_, _, Some(id), ..) => BundleScope::Shop(
                    ShopId::parse(&id).map_err(|e| anyhow::anyhow!("--shop: {e}"))?,
                ),
                (_, _, _, Some(from), Some(to)) => {
                    let t = |field: &str, s: &str| {
                        parse_day_or_time(field, s).map_err(|e| anyhow::anyhow!("--{field}: {e}"))
                    };
                    BundleScope::period(t("from", &from)?, t("to", &to)?)
                        .map_err(|e| anyhow::anyhow!("{e}"))?
                }
                _ => bail!("name a --complaint, --case, --shop or a --from/--to period"),
            };
            let key = key.load(&store.data_dir)?;
            let store = crate::serve::open_store(&store).await?;
            let exporter = store
                .user_by_username(&by)
                .await?
                .with_context(|| format!("no account named {by}"))?;
            let ticket = store
                .begin_export(&exporter.actor(), scope, SystemClock.now())
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            let path = out.unwrap_or_else(|| PathBuf::from(ticket.file_name()));
            let file = tokio::fs::File::create(&path)
                .await
                .with_context(|| format!("cannot write {}", path.display()))?;
            let mut out = tokio::io::BufWriter::with_capacity(256 * 1024, file);
            let written = store.write_bundle(&ticket, &key, &mut out).await;
            let summary = match written {
                Ok(s) => s,
                Err(e) => {
                    // Half a bundle is no bundle.
                    drop(out);
                    let _ = std::fs::remove_file(&path);
                    bail!("the bundle was not written: {e}");
                }
            };
            out.into_inner().sync_all().await?;
            println!(
                "bundle written to {}: {} records, {} chains ({} events), {} evidence files ({} bytes); {} bytes in all",
                path.display(),
                summary.records,
                summary.chains,
                summary.events,
                summary.evidence,
                summary.evidence_bytes,
                summary.bytes
            );
            println!(
                "manifest SHA-256 {}, signed by {}; recorded as {} seq {}",
                summary.manifest_sha256,
                summary.public_key,
                ticket.event().stream,
                ticket.event().seq
            );
            Ok(ExitCode::SUCCESS)
        }
        AuditCommand::VerifyBundle { file, key } => {
            let pinned = key
                .as_deref()
                .map(parse_public_key)
                .transpose()
                .map_err(|e| anyhow::anyhow!("--key: {e}"))?;
            let f = std::fs::File::open(&file)
                .with_context(|| format!("cannot open {}", file.display()))?;
            let reader = std::io::BufReader::with_capacity(256 * 1024, f);
            let checked = tokio::task::spawn_blocking(move || {
                weiquan_store::bundle::verify(reader, pinned.as_ref())
            })
            .await?;
            match checked {
                Ok(v) => {
                    println!(
                        "证据包完好 / bundle intact: {} — {} records, {} chains ({} events), {} evidence files",
                        v.scope, v.records, v.chains, v.events, v.evidence
                    );
                    println!(
                        "exported {} by {}; signed with Ed25519 key {}{}",
                        v.exported_at,
                        v.exported_by,
                        v.public_key,
                        if key.is_some() {
                            " (the expected key)"
                        } else {
                            " (not pinned: pass --key to require it)"
                        }
                    );
                    Ok(ExitCode::SUCCESS)
                }
                Err(broken) => {
                    eprintln!("证据包验证失败：{}", broken.text(Lang::Zh));
                    eprintln!("bundle verification FAILED: {}", broken.text(Lang::En));
                    Ok(ExitCode::FAILURE)
                }
            }
        }
        AuditCommand::Key { data_dir, key, new } => {
            let made = match new {
                Some(path) => PlatformKey::create(&path)
                    .with_context(|| format!("cannot make a new key in {}", path.display()))?,
                None => key.load(&data_dir)?,
            };
            println!("{}", made.public_hex());
            Ok(ExitCode::SUCCESS)
        }
    }
}
