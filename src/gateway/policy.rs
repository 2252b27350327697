//! The gateway's governance, as configured (`gateway:` in the config file): who may use
//! which server and tool, the limits on calls and cost, the sizes taken, how tools are
//! named. A decision names the policy version it was made under.

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use super::names::Strategy;

/// `gateway:` in the config file.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GatewayConfig {
    /// `prefixed` (`<server>__<tool>`, the default) or `unique` (the published name when
    /// no other server has it).
    #[serde(default)]
    pub naming: Strategy,
    /// `<server>/<tool>` -> the name clients see.
    #[serde(default)]
    pub aliases: BTreeMap<String, String>,
    /// How long a call may take (default 60).
    pub call_timeout_seconds: Option<u64>,
    /// Largest arguments of a call, in bytes (default 1 MiB).
    pub max_argument_bytes: Option<u64>,
    /// Largest result of a call, in bytes (default 8 MiB).
    pub max_result_bytes: Option<u64>,
    /// Server -> who may use it. A server not named here is open to every caller with the
    /// `tools_call` permission.
    #[serde(default)]
    pub access: BTreeMap<String, ServerAccess>,
    #[serde(default)]
    pub limits: Limits,
}

/// Who may use one server and its tools.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ServerAccess {
    /// The roles that may use the server (any one of them); absent: every caller.
    pub roles: Option<Vec<String>>,
    /// Tool (as the server publishes it) -> the roles that may call it, narrowing `roles`.
    #[serde(default)]
    pub tools: BTreeMap<String, Vec<String>>,
}

/// Limits per user, per agent and per tool.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Limits {
    pub per_user: Option<Limit>,
    pub per_agent: Option<Limit>,
    pub per_tool: Option<Limit>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Limit {
    pub calls_per_minute: Option<u32>,
    /// In the organization's currency, per UTC day, from the cost the tools report.
    pub cost_per_day: Option<f64>,
}

impl GatewayConfig {
    pub fn call_timeout(&self) -> Duration {
        Duration::from_secs(self.call_timeout_seconds.unwrap_or(60).max(1))
    }

    pub fn max_argument_bytes(&self) -> u64 {
        self.max_argument_bytes.unwrap_or(1 << 20)
    }

    pub fn max_result_bytes(&self) -> u64 {
        self.max_result_bytes.unwrap_or(8 << 20)
    }

    /// A short hash of the access rules and limits: recorded with every decision, so that
    /// an audit shows which rules allowed or refused a call.
    pub fn version(&self) -> String {
        use sha2::Digest;
        let text = serde_json::to_vec(&(&self.access, &self.limits)).unwrap_or_default();
        let d = sha2::Sha256::digest(&text);
        d.iter().take(6).map(|b| format!("{b:02x}")).collect()
    }

    /// Whether a caller with `roles` may use `tool` of `server`; the refusal says why.
    /// `roles` is `None` for a caller the rules do not apply to (the local user when single
    /// sign-on is not required).
    pub fn allows(&self, roles: Option<&[String]>, server: &str, tool: &str) -> Result<(), String> {
        let Some(roles) = roles else { return Ok(()) };
        let Some(access) = self.access.get(server) else {
            return Ok(());
        };
        let any = |wanted: &[String]| wanted.iter().any(|w| roles.contains(w));
        if let Some(r) = &access.roles {
            if !any(r) {
                return Err(format!(
                    "server `{server}` is open to the roles {} (policy {})",
                    r.join(", "),
                    self.version()
                ));
            }
        }
        if let Some(r) = access.tools.get(tool) {
            if !any(r) {
                return Err(format!(
                    "tool `{tool}` of `{server}` is open to the roles {} (policy {})",
                    r.join(", "),
                    self.version()
                ));
            }
        }
        Ok(())
    }
}

/// Calls in the last minute and cost today, per user, agent and tool.
#[derive(Default)]
pub struct Meter {
    inner: Mutex<HashMap<(u8, String), Window>>,
}

struct Window {
    /// The start of the current minute's window, and the calls in it and in the one before.
    minute_start: Instant,
    this_minute: u32,
    last_minute: u32,
    day: chrono::NaiveDate,
    cost_today: f64,
}

const USER: u8 = 0;
const AGENT: u8 = 1;
const TOOL: u8 = 2;

/// Whose calls a window counts, for seeding it from the calls already recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Whose<'a> {
    User(&'a str),
    Agent(&'a str),
    Tool(&'a str, &'a str),
}

/// The calls of the last minute and the cost of today already recorded for a window (by
/// another process, or before a restart).
pub type Seed<'a> = &'a dyn Fn(Whose) -> (u32, f64);

impl Meter {
    /// Count one call of `user` to `tool` of `agent`, unless a limit refuses it: then
    /// nothing is counted and the refusal says which limit. A window this process has not
    /// counted yet starts from `seed`.
    pub fn admit(
        &self,
        limits: &Limits,
        user: &str,
        agent: &str,
        tool: &str,
        seed: Option<Seed>,
    ) -> Result<(), String> {
        let keys = [
            (USER, user.to_owned(), limits.per_user.as_ref(), "user"),
            (AGENT, agent.to_owned(), limits.per_agent.as_ref(), "agent"),
            (
                TOOL,
                format!("{agent}/{tool}"),
                limits.per_tool.as_ref(),
                "tool",
            ),
        ];
        if keys.iter().all(|k| k.2.is_none()) {
            return Ok(());
        }
        let now = Instant::now();
        let today = chrono::Utc::now().date_naive();
        let mut map = self.inner.lock().map_err(|_| "the meter is poisoned")?;
        for (kind, key, limit, what) in &keys {
            let Some(limit) = limit else { continue };
            let w = map.entry((*kind, key.clone())).or_insert_with(|| {
                let whose = match *kind {
                    USER => Whose::User(user),
                    AGENT => Whose::Agent(agent),
                    _ => Whose::Tool(agent, tool),
                };
                let (calls, cost) = seed.map(|s| s(whose)).unwrap_or((0, 0.0));
                Window {
                    minute_start: now,
                    this_minute: calls,
                    last_minute: 0,
                    day: today,
                    cost_today: cost,
                }
            });
            roll(w, now, today);
            if let Some(max) = limit.calls_per_minute {
                // A sliding minute: the previous window weighted by how much of it is left.
                let into = now.duration_since(w.minute_start).as_secs_f64() / 60.0;
                let estimate = w.this_minute as f64 + w.last_minute as f64 * (1.0 - into);
                if estimate + 1.0 > max as f64 {
                    return Err(format!(
                        "the {what} `{key}` may make {max} calls per minute; try again in a minute"
                    ));
                }
            }
            if let Some(max) = limit.cost_per_day {
                if w.cost_today >= max {
                    return Err(format!(
                        "the {what} `{key}` has spent its budget of {max} for today ({:.6} so far)",
                        w.cost_today
                    ));
                }
            }
        }
        for (kind, key, limit, _) in &keys {
            if limit.is_some() {
                if let Some(w) = map.get_mut(&(*kind, key.clone())) {
                    w.this_minute += 1;
                }
            }
        }
        Ok(())
    }

    /// Add the cost a call reported.
    pub fn spend(&self, limits: &Limits, user: &str, agent: &str, tool: &str, cost: f64) {
        let Ok(mut map) = self.inner.lock() else {
            return;
        };
        let now = Instant::now();
        let today = chrono::Utc::now().date_naive();
        for (kind, key, limit) in [
            (USER, user.to_owned(), &limits.per_user),
            (AGENT, agent.to_owned(), &limits.per_agent),
            (TOOL, format!("{agent}/{tool}"), &limits.per_tool),
        ] {
            if limit.is_none() {
                continue;
            }
            if let Some(w) = map.get_mut(&(kind, key)) {
                roll(w, now, today);
                w.cost_today += cost;
            }
        }
    }
}

fn roll(w: &mut Window, now: Instant, today: chrono::NaiveDate) {
    let elapsed = now.duration_since(w.minute_start);
    if elapsed >= Duration::from_secs(120) {
        w.last_minute = 0;
        w.this_minute = 0;
        w.minute_start = now;
    } else if elapsed >= Duration::from_secs(60) {
        w.last_minute = w.this_minute;
        w.this_minute = 0;
        w.minute_start += Duration::from_secs(60);
    }
    if w.day != today {
        w.day = today;
        w.cost_today = 0.0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roles(r: &[&str]) -> Vec<String> {
        r.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn allow_lists_narrow_by_server_then_tool() {
        let mut c = GatewayConfig::default();
        c.access.insert(
            "billing".into(),
            ServerAccess {
                roles: Some(roles(&["platform-admin", "analyst"])),
                tools: [("refund".to_string(), roles(&["platform-admin"]))].into(),
            },
        );
        let analyst = roles(&["analyst"]);
        let admin = roles(&["platform-admin"]);
        let dev = roles(&["agent-developer"]);
        assert!(c.allows(Some(&analyst), "billing", "lookup").is_ok());
        let e = c.allows(Some(&analyst), "billing", "refund").unwrap_err();
        assert!(e.contains("refund") && e.contains(&c.version()), "{e}");
        assert!(c.allows(Some(&admin), "billing", "refund").is_ok());
        assert!(c.allows(Some(&dev), "billing", "lookup").is_err());
        assert!(c.allows(Some(&dev), "other", "x").is_ok());
        assert!(c.allows(None, "billing", "refund").is_ok());
    }

    #[test]
    fn the_policy_version_follows_the_rules() {
        let a = GatewayConfig::default();
        let mut b = a.clone();
        assert_eq!(a.version(), b.version());
        b.access.insert("x".into(), ServerAccess::default());
        assert_ne!(a.version(), b.version());
    }

    #[test]
    fn rate_and_budget_limits_refuse_and_say_which() {
        let limits = Limits {
            per_user: Some(Limit {
                calls_per_minute: Some(3),
                cost_per_day: None,
            }),
            per_agent: None,
            per_tool: Some(Limit {
                calls_per_minute: None,
                cost_per_day: Some(1.0),
            }),
        };
        let m = Meter::default();
        for _ in 0..3 {
            m.admit(&limits, "ann", "a", "t", None).unwrap();
        }
        let e = m.admit(&limits, "ann", "a", "t", None).unwrap_err();
        assert!(
            e.contains("user `ann`") && e.contains("3 calls per minute"),
            "{e}"
        );
        // Another user is not held back by ann's calls, but by the tool's budget.
        m.admit(&limits, "bob", "a", "t", None).unwrap();
        m.spend(&limits, "bob", "a", "t", 1.5);
        let e = m.admit(&limits, "bob", "a", "t", None).unwrap_err();
        assert!(e.contains("tool `a/t`") && e.contains("budget"), "{e}");
        assert!(m.admit(&limits, "bob", "a", "other", None).is_ok());
        // A process that has not counted carol yet starts from what is recorded.
        let seen = |w: Whose| match w {
            Whose::User("carol") => (3, 0.0),
            _ => (0, 0.0),
        };
        let e = m
            .admit(&limits, "carol", "a", "x", Some(&seen))
            .unwrap_err();
        assert!(e.contains("user `carol`"), "{e}");
    }
}
