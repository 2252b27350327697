//! The single output path: data to stdout as table, JSON or YAML; progress, notes,
//! warnings and errors to stderr; colour and spinners only for a terminal.

use std::io::{IsTerminal, Write};
use std::sync::Mutex;

use clap::ValueEnum;
use comfy_table::{presets, ContentArrangement, Table};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde::Serialize;

use crate::error::{Error, Result};
use crate::model::StepStatus;
use crate::progress::Progress;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Serialize, schemars::JsonSchema)]
pub enum Format {
    Table,
    Json,
    Yaml,
}

/// Data that can be drawn as tables; JSON and YAML serialize the same value.
pub trait Tabular: Serialize {
    fn tables(&self, out: &Output) -> Vec<Table>;
}

pub struct Output {
    pub format: Format,
    pub quiet: bool,
    pub verbose: u8,
    color: bool,
    stdout_tty: bool,
    stderr_tty: bool,
}

impl Output {
    pub fn new(format: Format, quiet: bool, verbose: u8, no_color: bool) -> Output {
        let stderr_tty = std::io::stderr().is_terminal();
        Output {
            format,
            quiet,
            verbose,
            color: !no_color && stderr_tty,
            stdout_tty: std::io::stdout().is_terminal(),
            stderr_tty,
        }
    }

    /// Whether stderr gets colour (a terminal, and NO_COLOR unset).
    pub fn color(&self) -> bool {
        self.color
    }

    /// A table with the house look: boxed on a terminal, plain columns in a pipe.
    pub fn table(&self, header: &[&str]) -> Table {
        new_table(header, self.stdout_tty)
    }

    /// A table of field/value rows for one record.
    pub fn record(&self, rows: &[(&str, String)]) -> Table {
        let mut t = self.table(&["field", "value"]);
        for (k, v) in rows {
            t.add_row(vec![k.to_string(), v.clone()]);
        }
        t
    }

    /// Write `data` to stdout in the chosen format.
    pub fn data<T: Tabular>(&self, data: &T) -> Result<()> {
        let text = match self.format {
            Format::Json => {
                serde_json::to_string_pretty(data).map_err(|e| Error::Internal(e.to_string()))?
                    + "\n"
            }
            Format::Yaml => yaml(data)?,
            Format::Table => {
                let mut s = String::new();
                for (i, t) in data.tables(self).iter().enumerate() {
                    if i > 0 {
                        s.push('\n');
                    }
                    s.push_str(&t.to_string());
                    s.push('\n');
                }
                s
            }
        };
        let mut out = std::io::stdout().lock();
        // A closed pipe (`| head`) is not an error worth reporting.
        let _ = out.write_all(text.as_bytes());
        let _ = out.flush();
        Ok(())
    }

    /// One item of a stream to stdout, written out at once: a JSON line, a YAML document,
    /// or for tables `cells` in one line, since a table cannot grow once printed. False once
    /// stdout is closed (`| head`), so that a stream can end.
    pub fn line<T: Serialize>(&self, item: &T, cells: &[String]) -> Result<bool> {
        let text = match self.format {
            Format::Json => {
                serde_json::to_string(item).map_err(|e| Error::Internal(e.to_string()))? + "\n"
            }
            Format::Yaml => "---\n".to_string() + &yaml(item)?,
            Format::Table => cells.join("  ") + "\n",
        };
        let mut out = std::io::stdout().lock();
        Ok(out
            .write_all(text.as_bytes())
            .and_then(|_| out.flush())
            .is_ok())
    }

    /// Whether stdout is a pipe whose reader has gone, so that a stream waiting for new
    /// items can end without a write to find out (as GNU `tail -f` does).
    pub fn stdout_closed(&self) -> bool {
        let mut fd = libc::pollfd {
            fd: libc::STDOUT_FILENO,
            events: 0,
            revents: 0,
        };
        // SAFETY: one valid pollfd, a zero timeout; poll only reads and writes that struct.
        let n = unsafe { libc::poll(&mut fd, 1, 0) };
        n > 0 && fd.revents & (libc::POLLERR | libc::POLLHUP) != 0
    }

    /// Bytes of a stream to stdout, written out at once; false once stdout is closed.
    pub fn write(&self, data: &[u8]) -> bool {
        let mut out = std::io::stdout().lock();
        out.write_all(data).and_then(|_| out.flush()).is_ok()
    }

    /// Raw text to stdout (completion scripts).
    pub fn raw(&self, text: &[u8]) {
        let mut out = std::io::stdout().lock();
        let _ = out.write_all(text);
        let _ = out.flush();
    }

    pub fn note(&self, msg: &str) {
        if !self.quiet {
            eprintln!("{msg}");
        }
    }

    pub fn warn(&self, msg: &str) {
        let tag = if self.color {
            "\x1b[33mwarning\x1b[0m"
        } else {
            "warning"
        };
        eprintln!("{tag}: {msg}");
    }

    pub fn error(&self, err: &Error) {
        let tag = if self.color {
            "\x1b[31merror\x1b[0m"
        } else {
            "error"
        };
        eprintln!("{tag}: {err}");
        if let Some(h) = err.hint() {
            eprintln!("hint: {h}");
        }
    }

    /// Step progress for multi-step work: a bar on a terminal, step lines with -v, else silent.
    pub fn progress(&self, title: &str) -> StepProgress {
        let bar = if self.stderr_tty && !self.quiet && self.format == Format::Table {
            let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
            bar.set_style(
                ProgressStyle::with_template("{prefix} [{bar:20}] {pos}/{len} {msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_bar())
                    .progress_chars("=> "),
            );
            bar.set_prefix(title.to_owned());
            Some(bar)
        } else {
            None
        };
        StepProgress {
            bar,
            lines: !self.stderr_tty && self.verbose > 0 && !self.quiet,
            done: Mutex::new(0),
        }
    }
}

pub fn new_table(header: &[&str], boxed: bool) -> Table {
    let mut t = Table::new();
    t.load_preset(if boxed {
        presets::UTF8_FULL_CONDENSED
    } else {
        presets::NOTHING
    });
    t.set_content_arrangement(if boxed {
        ContentArrangement::Dynamic
    } else {
        ContentArrangement::Disabled
    });
    t.set_header(header.iter().map(|h| {
        if boxed {
            h.to_string()
        } else {
            h.to_uppercase()
        }
    }));
    t
}

pub struct StepProgress {
    bar: Option<ProgressBar>,
    lines: bool,
    done: Mutex<u64>,
}

impl Progress for StepProgress {
    fn step(
        &self,
        index: usize,
        total: usize,
        name: &str,
        status: StepStatus,
        message: Option<&str>,
    ) {
        if let Some(bar) = &self.bar {
            bar.set_length(total as u64);
            if status == StepStatus::Running {
                bar.set_message(format!("{name}…"));
            } else {
                let mut done = self.done.lock().unwrap_or_else(|p| p.into_inner());
                *done = (*done).max(index as u64 + 1);
                bar.set_position(*done);
                bar.set_message(format!("{name}: {status}"));
            }
        }
        if self.lines && status != StepStatus::Running {
            match message {
                Some(m) => eprintln!("[{}/{total}] {name}: {status} ({m})", index + 1),
                None => eprintln!("[{}/{total}] {name}: {status}", index + 1),
            }
        }
    }
}

impl Drop for StepProgress {
    fn drop(&mut self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// The stderr logger behind the `log` macros, at the level resolved from -v / LOG_LEVEL.
struct StderrLogger;

impl log::Log for StderrLogger {
    fn enabled(&self, m: &log::Metadata) -> bool {
        m.level() <= log::max_level()
    }
    fn log(&self, r: &log::Record) {
        if self.enabled(r.metadata()) {
            eprintln!("{}: {}", r.level().as_str().to_ascii_lowercase(), r.args());
        }
    }
    fn flush(&self) {}
}

static LOGGER: StderrLogger = StderrLogger;

pub fn init_logging(level: &str, verbose: u8, quiet: bool) {
    let from_setting = match level {
        "ERROR" => log::LevelFilter::Error,
        "INFO" => log::LevelFilter::Info,
        "DEBUG" => log::LevelFilter::Debug,
        "TRACE" => log::LevelFilter::Trace,
        _ => log::LevelFilter::Warn,
    };
    let from_flag = match verbose {
        0 => log::LevelFilter::Off,
        1 => log::LevelFilter::Info,
        2 => log::LevelFilter::Debug,
        _ => log::LevelFilter::Trace,
    };
    let level = if quiet {
        log::LevelFilter::Error
    } else {
        from_setting.max(from_flag)
    };
    let _ = log::set_logger(&LOGGER);
    log::set_max_level(level);
}

/// YAML of the same document JSON output gives: data converted to JSON first, so that both
/// formats say the same thing (documents kept as JSON text included, see `model::Json`).
fn yaml<T: Serialize + ?Sized>(data: &T) -> Result<String> {
    let value = serde_json::to_value(data).map_err(|e| Error::Internal(e.to_string()))?;
    serde_yaml_ng::to_string(&value).map_err(|e| Error::Internal(e.to_string()))
}
