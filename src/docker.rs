//! The one Docker Engine client (bollard): connecting with API version negotiation, and
//! hardened sandbox containers that are always removed again.

use std::collections::HashMap;
use std::pin::Pin;

use bollard::models::{ContainerCreateBody, HostConfig};
use bollard::query_parameters::{
    AttachContainerOptionsBuilder, CreateContainerOptionsBuilder, RemoveContainerOptionsBuilder,
};
use bollard::Docker;
use futures_util::{Stream, StreamExt};
use tokio::io::AsyncWrite;

use crate::error::{Error, Result};

pub use bollard::Docker as Client;

const HINT: &str = "start the Docker Engine, or point DOCKER_HOST at it (unix:///path/to/docker.sock or tcp://127.0.0.1:2375); `pc-hybrid doctor` checks it";

/// Connect to `host` (`unix://...`, `tcp://...` or a socket path) and agree on an API version
/// both sides speak: Debian's engine is older than bollard's default.
pub async fn connect(host: &str) -> Result<Docker> {
    let unavailable = |e: String| {
        Error::unavailable(
            format!("the Docker Engine at {host} is not reachable: {e}"),
            Some(HINT),
        )
    };
    let docker = if let Some(addr) = host
        .strip_prefix("tcp://")
        .or_else(|| host.strip_prefix("http://"))
    {
        Docker::connect_with_http(addr, 120, bollard::API_DEFAULT_VERSION)
    } else {
        let path = host.strip_prefix("unix://").unwrap_or(host);
        Docker::connect_with_unix(path, 120, bollard::API_DEFAULT_VERSION)
    }
    .map_err(|e| unavailable(e.to_string()))?;
    let docker = docker
        .negotiate_version()
        .await
        .map_err(|e| unavailable(e.to_string()))?;
    docker
        .ping()
        .await
        .map_err(|e| unavailable(e.to_string()))?;
    Ok(docker)
}

/// A container to run a server in, locked down.
#[derive(Debug, Clone)]
pub struct SandboxSpec {
    pub image: String,
    pub cmd: Option<Vec<String>>,
    pub env: Vec<String>,
    /// `none`, or `host` when the server must be reached over loopback.
    pub network: String,
    pub memory_bytes: i64,
    pub nano_cpus: i64,
    pub pids_limit: i64,
    pub labels: HashMap<String, String>,
    /// Attach stdin/stdout for a stdio server.
    pub interactive: bool,
}

/// The hardened host configuration every sandbox gets.
fn host_config(spec: &SandboxSpec) -> HostConfig {
    HostConfig {
        network_mode: Some(spec.network.clone()),
        readonly_rootfs: Some(true),
        cap_drop: Some(vec!["ALL".into()]),
        security_opt: Some(vec!["no-new-privileges".into()]),
        memory: Some(spec.memory_bytes),
        memory_swap: Some(spec.memory_bytes),
        nano_cpus: Some(spec.nano_cpus),
        pids_limit: Some(spec.pids_limit),
        privileged: Some(false),
        init: Some(true),
        tmpfs: Some(HashMap::from([(
            "/tmp".to_string(),
            "rw,noexec,nosuid,nodev,size=64m".to_string(),
        )])),
        ..Default::default()
    }
}

type Output = Pin<
    Box<
        dyn Stream<
                Item = std::result::Result<bollard::container::LogOutput, bollard::errors::Error>,
            > + Send,
    >,
>;

/// A running sandbox: its id, and for interactive ones its stdin and output.
pub struct Sandbox {
    pub id: String,
    pub input: Option<Pin<Box<dyn AsyncWrite + Send>>>,
    pub output: Option<Output>,
}

/// Whether `image` exists locally (nothing is pulled: a sandbox runs what was built here).
pub async fn has_image(docker: &Docker, image: &str) -> Result<bool> {
    match docker.inspect_image(image).await {
        Ok(_) => Ok(true),
        Err(bollard::errors::Error::DockerResponseServerError {
            status_code: 404, ..
        }) => Ok(false),
        Err(e) => Err(Error::failed(
            format!("inspecting image {image}: {e}"),
            None,
        )),
    }
}

/// Create, attach (before start, so no output is lost) and start a sandbox. On any failure
/// the container is removed before returning.
pub async fn start_sandbox(docker: &Docker, name: &str, spec: &SandboxSpec) -> Result<Sandbox> {
    let body = ContainerCreateBody {
        image: Some(spec.image.clone()),
        cmd: spec.cmd.clone(),
        env: Some(spec.env.clone()),
        labels: Some(spec.labels.clone()),
        attach_stdin: Some(spec.interactive),
        attach_stdout: Some(true),
        attach_stderr: Some(true),
        open_stdin: Some(spec.interactive),
        stdin_once: Some(spec.interactive),
        tty: Some(false),
        host_config: Some(host_config(spec)),
        ..Default::default()
    };
    let opts = CreateContainerOptionsBuilder::default().name(name).build();
    let created = docker
        .create_container(Some(opts), body)
        .await
        .map_err(|e| Error::failed(format!("creating the sandbox container: {e}"), None))?;
    let id = created.id;
    let started = async {
        let attach = docker
            .attach_container(
                &id,
                Some(
                    AttachContainerOptionsBuilder::default()
                        .stdin(spec.interactive)
                        .stdout(true)
                        .stderr(true)
                        .stream(true)
                        .build(),
                ),
            )
            .await
            .map_err(|e| Error::failed(format!("attaching to the sandbox: {e}"), None))?;
        docker
            .start_container(&id, None)
            .await
            .map_err(|e| Error::failed(format!("starting the sandbox: {e}"), None))?;
        Ok::<_, Error>(attach)
    }
    .await;
    match started {
        Ok(attach) => Ok(Sandbox {
            id,
            input: Some(attach.input),
            output: Some(attach.output),
        }),
        Err(e) => {
            remove(docker, &id).await;
            Err(e)
        }
    }
}

/// Remove a container, killing it if it runs. Errors are ignored: this is cleanup.
pub async fn remove(docker: &Docker, id: &str) {
    let opts = RemoveContainerOptionsBuilder::default()
        .force(true)
        .v(true)
        .build();
    let _ = docker.remove_container(id, Some(opts)).await;
}

/// Split attached output into stdout lines (sent on `lines`) and a stderr tail.
pub fn pump_output(
    mut output: Output,
    lines: tokio::sync::mpsc::Sender<String>,
    stderr: std::sync::Arc<std::sync::Mutex<Tail>>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut partial: Vec<u8> = Vec::new();
        while let Some(item) = output.next().await {
            match item {
                Ok(bollard::container::LogOutput::StdOut { message }) => {
                    partial.extend_from_slice(&message);
                    while let Some(i) = partial.iter().position(|b| *b == b'\n') {
                        let line: Vec<u8> = partial.drain(..=i).collect();
                        let text = String::from_utf8_lossy(&line[..line.len() - 1]).into_owned();
                        if lines.send(text).await.is_err() {
                            return;
                        }
                    }
                }
                Ok(bollard::container::LogOutput::StdErr { message }) => {
                    if let Ok(mut t) = stderr.lock() {
                        t.push(&message);
                    }
                }
                Ok(_) => {}
                Err(_) => break,
            }
        }
    })
}

/// The last bytes a server wrote to stderr, for messages.
#[derive(Debug, Default)]
pub struct Tail {
    buf: std::collections::VecDeque<u8>,
}

impl Tail {
    const CAP: usize = 4096;

    pub fn push(&mut self, bytes: &[u8]) {
        self.buf.extend(bytes);
        while self.buf.len() > Self::CAP {
            self.buf.pop_front();
        }
    }

    pub fn text(&self) -> String {
        let (a, b) = self.buf.as_slices();
        let mut v = a.to_vec();
        v.extend_from_slice(b);
        String::from_utf8_lossy(&v).trim().to_string()
    }
}
