//! The interactive wizard of `create-agent`: the reference design's questions, each answer
//! checked as it is entered, and a summary to confirm.

use std::path::Path;

use console::Term;
use dialoguer::{
    theme::ColorfulTheme, theme::SimpleTheme, theme::Theme, Confirm, Input, MultiSelect, Select,
};

use crate::cli::CreateAgentArgs;
use crate::error::{Error, Result};
use crate::factory::spec::{self, AgentRequest};

fn aborted(e: dialoguer::Error) -> Error {
    Error::usage(format!("wizard aborted: {e}"), None)
}

fn theme(color: bool) -> Box<dyn Theme> {
    if color {
        Box::new(ColorfulTheme::default())
    } else {
        Box::new(SimpleTheme)
    }
}

/// Ask what is missing (everything, with --interactive), then confirm the summary.
pub fn confirm_or_complete(
    mut req: AgentRequest,
    args: &CreateAgentArgs,
    output_dir: &Path,
    color: bool,
) -> Result<AgentRequest> {
    let term = Term::stderr();
    let theme = theme(color);
    let theme = theme.as_ref();
    let all = args.interactive;
    let s = &mut req.agent_spec;
    let _ = term.write_line("Agent Configuration Wizard");

    if all || s.name.is_empty() {
        s.name = Input::<String>::with_theme(theme)
            .with_prompt("Agent name (snake_case)")
            .with_initial_text(s.name.clone())
            .validate_with(|v: &String| spec::check_name(v))
            .interact_text_on(&term)
            .map_err(aborted)?;
    }
    if all || s.domain.is_empty() {
        let mut choices: Vec<&str> = spec::SUGGESTED_DOMAINS.to_vec();
        choices.push("other");
        let default = choices.iter().position(|c| *c == s.domain).unwrap_or(0);
        let pick = Select::with_theme(theme)
            .with_prompt("Domain area")
            .items(&choices)
            .default(default)
            .interact_on(&term)
            .map_err(aborted)?;
        s.domain = if choices[pick] == "other" {
            Input::<String>::with_theme(theme)
                .with_prompt("Domain (snake_case)")
                .validate_with(|v: &String| spec::check_domain(v))
                .interact_text_on(&term)
                .map_err(aborted)?
        } else {
            choices[pick].to_owned()
        };
    }
    if all || s.description.is_empty() {
        s.description = Input::<String>::with_theme(theme)
            .with_prompt("Agent description")
            .with_initial_text(s.description.clone())
            .validate_with(|v: &String| spec::check_description(v))
            .interact_text_on(&term)
            .map_err(aborted)?;
    }
    if all {
        let defaults: Vec<bool> = spec::SUGGESTED_CAPABILITIES
            .iter()
            .map(|c| s.capabilities.iter().any(|x| x == c))
            .collect();
        let picked = MultiSelect::with_theme(theme)
            .with_prompt("Select capabilities (space to toggle, enter to accept)")
            .items(spec::SUGGESTED_CAPABILITIES)
            .defaults(&defaults)
            .interact_on(&term)
            .map_err(aborted)?;
        let mut caps: Vec<String> = picked
            .iter()
            .map(|i| spec::SUGGESTED_CAPABILITIES[*i].to_owned())
            .collect();
        for c in &s.capabilities {
            if !caps.contains(c) && !spec::SUGGESTED_CAPABILITIES.contains(&c.as_str()) {
                caps.push(c.clone());
            }
        }
        let extra: String = Input::<String>::with_theme(theme)
            .with_prompt("Other capabilities (comma-separated, empty for none)")
            .allow_empty(true)
            .validate_with(|v: &String| {
                v.split(',')
                    .map(str::trim)
                    .filter(|c| !c.is_empty())
                    .try_for_each(spec::check_capability)
            })
            .interact_text_on(&term)
            .map_err(aborted)?;
        caps.extend(
            extra
                .split(',')
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .map(str::to_owned),
        );
        s.capabilities = caps;
    }

    let _ = term.write_line("");
    let _ = term.write_line("Summary");
    let caps = if s.capabilities.is_empty() {
        spec::DEFAULT_CAPABILITY.to_owned()
    } else {
        s.capabilities.join(", ")
    };
    for (k, v) in [
        ("name", s.name.as_str()),
        ("domain", s.domain.as_str()),
        ("description", s.description.as_str()),
        ("capabilities", caps.as_str()),
    ] {
        let _ = term.write_line(&format!(
            "  {k:<13} {}",
            crate::factory::escape::one_line(v)
        ));
    }
    let _ = term.write_line(&format!(
        "  {:<13} {}",
        "project",
        output_dir.join(&s.name).display()
    ));
    if !args.yes {
        let ok = Confirm::with_theme(theme)
            .with_prompt("Create this agent?")
            .default(true)
            .interact_on(&term)
            .map_err(aborted)?;
        if !ok {
            return Err(Error::failed("cancelled; nothing was created", None));
        }
    }
    Ok(req)
}
