//! The local target (embedded default): the agent's Python environment built once per
//! dependency set, replicas as detached processes on loopback ports serving streamable HTTP,
//! logs in the data directory.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::Utc;
use sha2::{Digest, Sha256};

use super::{AgentShape, DeployBackend, DeployRequest};
use crate::error::{Error, Result};
use crate::model::StepStatus;
use crate::progress::Progress;
use crate::store::{DeploymentRecord, DomainStore, ReplicaRecord, ReplicaState};

#[derive(Debug, Clone)]
pub struct LocalOptions {
    /// The interpreter environments are made with.
    pub python: String,
    /// Where environments are cached, one folder per dependency hash.
    pub envs_dir: PathBuf,
    /// Where replica logs go.
    pub logs_dir: PathBuf,
}

pub struct Local;

/// The `[project] dependencies` of a pyproject.toml, when written as a plain list of
/// strings (as the templates write them).
fn dependencies(pyproject: &str) -> Option<Vec<String>> {
    let start = pyproject.lines().position(|l| {
        let l = l.trim_start();
        l.starts_with("dependencies") && l.contains('[')
    })?;
    let mut text = String::new();
    for line in pyproject.lines().skip(start) {
        text.push_str(line);
        text.push('\n');
        if line.trim_end().ends_with(']') {
            break;
        }
    }
    let inner = text.split_once('[')?.1.rsplit_once(']')?.0;
    // The quoted strings, in order: a requirement may itself contain commas.
    let mut out = Vec::new();
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c == '"' || c == '\'' {
            let s: String = chars.by_ref().take_while(|x| *x != c).collect();
            out.push(s);
        } else if c == '#' {
            for x in chars.by_ref() {
                if x == '\n' {
                    break;
                }
            }
        }
    }
    Some(out)
}

/// The environment for `project`: made once for each (interpreter, dependency list), so
/// agents with the same dependencies share one. The agent's own sources come from its
/// project folder at run time, so an edit to them needs no rebuild.
pub fn ensure_env(opts: &LocalOptions, project: &Path, progress: &dyn Progress) -> Result<PathBuf> {
    let pyproject = std::fs::read_to_string(project.join("pyproject.toml"))
        .map_err(|e| Error::io(format!("{}/pyproject.toml", project.display()), e))?;
    let deps = dependencies(&pyproject);
    let mut h = Sha256::new();
    h.update(opts.python.as_bytes());
    h.update([0]);
    match &deps {
        Some(d) => h.update(d.join("\n").as_bytes()),
        None => h.update(pyproject.as_bytes()),
    }
    let digest = h.finalize();
    let key: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
    let env = opts.envs_dir.join(&key);
    let python = env.join("bin/python");
    if env.join(".ready").exists() {
        return Ok(python);
    }
    progress.step(
        0,
        3,
        "environment",
        StepStatus::Running,
        Some("building the Python environment (once per dependency set)"),
    );
    std::fs::create_dir_all(&opts.envs_dir)
        .map_err(|e| Error::io(format!("creating {}", opts.envs_dir.display()), e))?;
    let tmp = opts
        .envs_dir
        .join(format!(".tmp-{key}-{}", uuid::Uuid::new_v4().simple()));
    let run = |cmd: &mut std::process::Command, what: &str| -> Result<()> {
        let out = cmd.output().map_err(|e| {
            Error::failed(
                format!("{what}: {e}"),
                Some("check PC_HYBRID_PYTHON (`pc-hybrid doctor`)"),
            )
        })?;
        if !out.status.success() {
            let text = String::from_utf8_lossy(&out.stderr).into_owned()
                + &String::from_utf8_lossy(&out.stdout);
            return Err(Error::failed(
                format!("{what} failed:\n{}", super::tail_lines(&text, 15)),
                Some("the agent's dependencies come from PyPI (or your pip configuration)"),
            ));
        }
        Ok(())
    };
    let made = (|| {
        run(
            std::process::Command::new(&opts.python)
                .args(["-m", "venv"])
                .arg(&tmp),
            "creating the virtual environment",
        )?;
        run(
            std::process::Command::new(tmp.join("bin/python"))
                .args([
                    "-m",
                    "pip",
                    "install",
                    "--quiet",
                    "--disable-pip-version-check",
                ])
                .arg(project),
            "installing the agent's dependencies",
        )?;
        std::fs::write(tmp.join(".ready"), b"")
            .map_err(|e| Error::io(format!("writing {}", tmp.display()), e))
    })();
    if let Err(e) = made {
        let _ = std::fs::remove_dir_all(&tmp);
        return Err(e);
    }
    // Another deployment may have made the same environment meanwhile; either is fine.
    if std::fs::rename(&tmp, &env).is_err() {
        let _ = std::fs::remove_dir_all(&tmp);
        if !env.join(".ready").exists() {
            return Err(Error::failed(
                format!("could not place {}", env.display()),
                None,
            ));
        }
    }
    Ok(python)
}

fn log_path(opts: &LocalOptions, agent: &str, index: u32) -> PathBuf {
    opts.logs_dir
        .join(agent)
        .join(format!("replica-{index}.log"))
}

/// Start one replica, detached: its own process group, so that it outlives the CLI and a
/// Ctrl-C in the terminal does not reach it.
fn spawn(python: &Path, shape: &AgentShape, port: u16, log: &Path) -> Result<u32> {
    use std::os::unix::process::CommandExt;
    if let Some(dir) = log.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|e| Error::io(format!("creating {}", dir.display()), e))?;
    }
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)
        .map_err(|e| Error::io(format!("opening {}", log.display()), e))?;
    let err = file.try_clone().map_err(|e| Error::io("log file", e))?;
    let child = std::process::Command::new(python)
        .args([
            "-m",
            &shape.name,
            "--transport",
            "streamable-http",
            "--host",
            "127.0.0.1",
            "--port",
        ])
        .arg(port.to_string())
        .current_dir(&shape.project_dir)
        .env("AGENT_HOME", &shape.project_dir)
        .env("PYTHONPATH", shape.project_dir.join("src"))
        .env("PYTHONUNBUFFERED", "1")
        .stdin(std::process::Stdio::null())
        .stdout(file)
        .stderr(err)
        .process_group(0)
        .spawn()
        .map_err(|e| Error::failed(format!("starting {}: {e}", python.display()), None))?;
    Ok(child.id())
}

/// Whether `pid` is still this replica: alive, not a zombie, and the same command line.
fn is_replica(pid: u32, port: u16) -> bool {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return false;
    };
    // The state follows the command name in parentheses, which may itself contain spaces.
    let state = stat
        .rsplit_once(')')
        .and_then(|(_, rest)| rest.split_whitespace().next());
    if matches!(state, Some("Z") | Some("X") | None) {
        return false;
    }
    on_port(&arguments(&format!("/proc/{pid}")), port)
}

/// The arguments of the process whose `/proc` folder is `proc`.
fn arguments(proc: &str) -> Vec<Vec<u8>> {
    let cmd = std::fs::read(format!("{proc}/cmdline")).unwrap_or_default();
    cmd.split(|b| *b == 0)
        .filter(|a| !a.is_empty())
        .map(<[u8]>::to_vec)
        .collect()
}

/// Whether a command line ends in `--port PORT`, as a replica's does: whole arguments, so
/// that port 4165 is not port 41657.
fn on_port(args: &[Vec<u8>], port: u16) -> bool {
    matches!(args, [.., flag, p] if flag == b"--port" && *p == port.to_string().as_bytes())
}

/// The process serving `agent` on `port`, found by its command line.
fn find_pid(agent: &str, port: u16) -> Option<u32> {
    std::fs::read_dir("/proc").ok()?.flatten().find_map(|e| {
        let pid: u32 = e.file_name().to_string_lossy().parse().ok()?;
        let args = arguments(&e.path().to_string_lossy());
        let runs_agent = args
            .windows(2)
            .any(|w| w[0] == b"-m" && w[1] == agent.as_bytes());
        (runs_agent && on_port(&args, port)).then_some(pid)
    })
}

/// Stop a replica by its recorded pid, or when none was recorded, by its port.
fn stop_replica(agent: &str, r: &ReplicaRecord) {
    if let Some(pid) = r.pid.or_else(|| find_pid(agent, r.port)) {
        stop(pid, r.port);
    }
}

/// Whether a replica's recorded process still runs, for the health wait.
fn alive(r: &ReplicaRecord) -> std::future::Ready<bool> {
    std::future::ready(r.pid.is_some_and(|p| is_replica(p, r.port)))
}

fn stop(pid: u32, port: u16) {
    if !is_replica(pid, port) {
        return;
    }
    unsafe {
        libc::killpg(pid as libc::pid_t, libc::SIGTERM);
    }
    let t = Instant::now();
    while t.elapsed() < Duration::from_secs(3) {
        if !is_replica(pid, port) {
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    unsafe {
        libc::killpg(pid as libc::pid_t, libc::SIGKILL);
    }
}

/// The last lines a replica logged, for error messages.
fn log_tail(opts: &LocalOptions, agent: &str, index: u32) -> String {
    let text = std::fs::read_to_string(log_path(opts, agent, index)).unwrap_or_default();
    super::tail_lines(&text, 12)
}

fn failure(opts: &LocalOptions, agent: &str, index: u32, why: &str) -> Error {
    Error::failed(
        format!(
            "replica {index} of {agent}: {why}; the deployment was rolled back. Its log ends with:\n{}",
            log_tail(opts, agent, index)
        ),
        Some("fix the agent and deploy again; `pc-hybrid list-agents` shows what still runs"),
    )
}

impl DeployBackend for Local {
    async fn deploy(
        &self,
        store: &dyn DomainStore,
        shape: &AgentShape,
        req: &DeployRequest,
        record: &mut DeploymentRecord,
        progress: &dyn Progress,
    ) -> Result<()> {
        let opts = &req.local;
        let python = ensure_env(opts, &shape.project_dir, progress)?;
        progress.step(
            1,
            3,
            "start",
            StepStatus::Running,
            Some(&format!("starting {} replica(s)", req.replicas)),
        );
        let old = std::mem::take(&mut record.replicas);
        let old_indices: Vec<u32> = old.iter().map(|r| r.index).collect();
        record.detail["retiring"] = serde_json::to_value(&old).unwrap_or_default();
        record.artifact = Some(format!(
            "{} (env {})",
            shape
                .commit
                .as_deref()
                .map(|c| &c[..c.len().min(12)])
                .unwrap_or("uncommitted"),
            python
                .parent()
                .and_then(|p| p.parent())
                .and_then(|p| p.file_name())
                .map(|f| f.to_string_lossy().into_owned())
                .unwrap_or_default()
        ));
        // New replicas take indices the old ones do not use while both exist, then are
        // renumbered from 0 once the old ones are gone.
        let mut next = 0u32;
        for &port in &req.ports {
            while old_indices.contains(&next) {
                next += 1;
            }
            let log = log_path(opts, &shape.name, next);
            let _ = std::fs::remove_file(&log);
            // Recorded before it starts: a deploy killed right after the spawn still leaves
            // the port, by which undeploy finds the process.
            record.replicas.push(ReplicaRecord {
                index: next,
                pid: None,
                container_id: None,
                port,
                endpoint: format!("http://127.0.0.1:{port}/mcp"),
                started_at: Utc::now(),
                state: ReplicaState::Starting,
                last_check: None,
                log: Some(log.display().to_string()),
            });
            store.save_deployment(record)?;
            let pid = match spawn(&python, shape, port, &log) {
                Ok(p) => p,
                Err(e) => {
                    for r in &record.replicas {
                        stop_replica(&shape.name, r);
                    }
                    record.replicas = old;
                    return Err(e);
                }
            };
            if let Some(r) = record.replicas.last_mut() {
                r.pid = Some(pid);
            }
            // Recorded before waiting: an interrupted deploy leaves what undeploy needs.
            store.save_deployment(record)?;
            next += 1;
        }
        // Local replicas start in about a second: always wait, so that failures show.
        {
            progress.step(
                2,
                3,
                "health",
                StepStatus::Running,
                Some("waiting for /health"),
            );
            let deadline = Instant::now() + req.startup_timeout;
            if let Err((index, why)) =
                super::wait_healthy(&mut record.replicas, deadline, alive, progress).await
            {
                let err = failure(opts, &shape.name, index, &why);
                for r in &record.replicas {
                    stop_replica(&shape.name, r);
                }
                record.replicas = old;
                return Err(err);
            }
        }
        for r in &old {
            stop_replica(&shape.name, r);
        }
        // Renumber from 0, moving the logs along.
        for (i, r) in record.replicas.iter_mut().enumerate() {
            let i = i as u32;
            if r.index != i {
                let to = log_path(opts, &shape.name, i);
                if let Some(from) = &r.log {
                    let _ = std::fs::rename(from, &to);
                }
                r.index = i;
                r.log = Some(to.display().to_string());
            }
        }
        if let Some(o) = record.detail.as_object_mut() {
            o.remove("retiring");
        }
        progress.step(2, 3, "health", StepStatus::Succeeded, None);
        Ok(())
    }

    async fn status(&self, record: &mut DeploymentRecord) -> Result<()> {
        let http = crate::net::client()?;
        for r in &mut record.replicas {
            if r.pid.is_none() {
                r.pid = find_pid(&record.agent_name, r.port);
            }
            let up = r.pid.is_some_and(|p| is_replica(p, r.port));
            super::check_replica(&http, r, up).await;
        }
        Ok(())
    }

    async fn logs(&self, record: &DeploymentRecord, replica: u32, tail: usize) -> Result<String> {
        let r = record
            .replicas
            .iter()
            .find(|r| r.index == replica)
            .ok_or_else(|| Error::usage(format!("no replica {replica}"), None))?;
        let path = r.log.clone().unwrap_or_default();
        let text = std::fs::read_to_string(&path).map_err(|e| Error::io(path.clone(), e))?;
        Ok(super::tail_lines(&text, tail))
    }

    async fn undeploy(&self, record: &DeploymentRecord) -> Result<()> {
        for r in &super::all_replicas(record) {
            stop_replica(&record.agent_name, r);
        }
        Ok(())
    }
}

/// Start again the replicas that are not healthy (or all), on their own ports when free.
pub async fn restart(
    store: &dyn DomainStore,
    shape: &AgentShape,
    record: &mut DeploymentRecord,
    opts: &LocalOptions,
    all: bool,
    timeout: Duration,
) -> Result<()> {
    let python = ensure_env(opts, &shape.project_dir, &crate::progress::NoProgress)?;
    let mut restarted = Vec::new();
    for (i, r) in record.replicas.iter_mut().enumerate() {
        if r.state == ReplicaState::Healthy && !all {
            continue;
        }
        stop_replica(&shape.name, r);
        let port = if crate::net::port_free(r.port) {
            r.port
        } else {
            crate::net::free_port()?
        };
        let log = log_path(opts, &shape.name, r.index);
        let pid = spawn(&python, shape, port, &log)?;
        r.pid = Some(pid);
        r.port = port;
        r.endpoint = format!("http://127.0.0.1:{port}/mcp");
        r.started_at = Utc::now();
        r.state = ReplicaState::Starting;
        r.log = Some(log.display().to_string());
        restarted.push(i);
    }
    store.save_deployment(record)?;
    let deadline = Instant::now() + timeout;
    let mut subset: Vec<ReplicaRecord> = restarted
        .iter()
        .map(|&i| record.replicas[i].clone())
        .collect();
    let result =
        super::wait_healthy(&mut subset, deadline, alive, &crate::progress::NoProgress).await;
    for (k, &i) in restarted.iter().enumerate() {
        record.replicas[i] = subset[k].clone();
    }
    store.save_deployment(record)?;
    if let Err((index, why)) = result {
        return Err(Error::failed(
            format!(
                "replica {index} of {} did not come back: {why}. Its log ends with:\n{}",
                shape.name,
                log_tail(opts, &shape.name, index)
            ),
            None,
        ));
    }
    Ok(())
}

/// Hand what is appended to the log at `path` to `write` until it returns false, checking
/// every 200 ms; a log replaced by a redeploy is read from its beginning.
pub async fn follow(path: &Path, write: &(dyn Fn(&[u8]) -> bool + Sync)) -> Result<()> {
    use std::io::{Read, Seek, SeekFrom};
    let io = |e| Error::io(path.display().to_string(), e);
    let mut f = std::fs::File::open(path).map_err(io)?;
    let mut pos = f.seek(SeekFrom::End(0)).map_err(io)?;
    loop {
        tokio::time::sleep(Duration::from_millis(200)).await;
        let len = f.metadata().map(|m| m.len()).unwrap_or(pos);
        if len < pos {
            f = std::fs::File::open(path).map_err(io)?;
            pos = 0;
        }
        let mut buf = Vec::new();
        f.seek(SeekFrom::Start(pos)).map_err(io)?;
        f.read_to_end(&mut buf).map_err(io)?;
        pos += buf.len() as u64;
        if !write(&buf) {
            return Ok(());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_replica_is_known_by_its_whole_port_argument() {
        let args: Vec<Vec<u8>> = ["python", "-m", "tax_advisor", "--port", "41657"]
            .iter()
            .map(|a| a.as_bytes().to_vec())
            .collect();
        assert!(on_port(&args, 41657));
        assert!(!on_port(&args, 4165));
        assert!(!on_port(&args[..3], 41657));
    }

    #[test]
    fn reads_the_dependency_list() {
        let p = "[project]\nname = \"x\"\ndependencies = [\n    \"mcp>=2,<3\",  # the SDK\n    'pyyaml>=6',\n]\n\n[project.optional-dependencies]\npg = [\"psycopg\"]\n";
        assert_eq!(
            dependencies(p).unwrap(),
            vec!["mcp>=2,<3".to_string(), "pyyaml>=6".to_string()]
        );
        assert_eq!(dependencies("[project]\nname = \"x\"\n"), None);
    }
}
