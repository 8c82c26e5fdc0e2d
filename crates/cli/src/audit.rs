//! `weiquan audit verify`.

use std::process::ExitCode;

use crate::StoreArgs;

#[derive(clap::Subcommand)]
pub enum AuditCommand {
    /// Recompute every event chain and evidence hash; non-zero and the first broken record if any.
    Verify {
        #[command(flatten)]
        store: StoreArgs,
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
    }
}
