
use builtin;
use str;

set edit:completion:arg-completer[pc-hybrid] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'pc-hybrid'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'pc-hybrid'= {
            cand -o 'Output format of data written to stdout'
            cand --output 'Output format of data written to stdout'
            cand --profile 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]'
            cand -q 'Print only data and errors; no progress or notes on stderr'
            cand --quiet 'Print only data and errors; no progress or notes on stderr'
            cand -v 'More detail on stderr (-v for info, -vv for debug)'
            cand --verbose 'More detail on stderr (-v for info, -vv for debug)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand create-agent 'Create an agent project from a template, commit it to git, push and register it'
            cand status 'Show the steps of an agent creation'
            cand list-agents 'List the agents with their deployments: target, environment, replicas wanted and healthy, endpoints, artifact and last health check'
            cand deploy-agent 'Deploy an agent: local processes (default), Docker containers or Kubernetes manifests'
            cand undeploy 'Stop and remove an agent''s deployments'
            cand logs 'Show the log of one replica of a deployed agent'
            cand restart 'Start again the replicas of a deployment that are not healthy'
            cand mcp 'The MCP registry: register, validate, list, show, remove and export MCP servers'
            cand audit 'The audit trail: ingest, query, tail, export and verify events'
            cand invoke 'Call a tool of a deployed agent or registered server through the gateway: governed, audited and recorded as an execution like any MCP client''s call'
            cand gateway 'The MCP gateway: one MCP endpoint in front of every deployed agent and registered server (the daemon serves it at /mcp)'
            cand executions 'Tool calls (executions) recorded here or imported: list them, or import JSON Lines'
            cand feedback 'Judge an execution: a rating from 1 to 5, and whether its answer was correct'
            cand analytics 'Analytics over the executions: insights of a period, from rollups kept as calls are recorded'
            cand login 'Log in to the SSO provider: device code, browser, client credentials or a token'
            cand logout 'Log out: revoke the session at the provider, then forget its tokens here'
            cand whoami 'Who the session says you are: user, organization, roles, token expiries, where the tokens are kept and which operations your roles allow'
            cand auth 'Tokens for scripts: print a valid access token, or check whether you are logged in'
            cand config 'Inspect the resolved configuration'
            cand doctor 'Check the environment: git identity, Docker Engine, keyring, Python and MCP SDK, store'
            cand daemon 'The background daemon: one store handle and one audit pipeline for every command'
            cand completions 'Print a shell completion script'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'pc-hybrid;create-agent'= {
            cand -o 'Output format of data written to stdout'
            cand --output 'Output format of data written to stdout'
            cand --profile 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]'
            cand --name 'Agent name, snake_case (e.g. tax_advisor)'
            cand --domain 'Domain area (e.g. security, finance, web_development, data_analysis)'
            cand --description 'What the agent does'
            cand --display-name 'Human-readable name (default: the name in title case)'
            cand --capability 'A capability; each becomes an MCP tool scoped to its knowledge (repeatable)'
            cand --keyword 'A keyword (repeatable; default: the domain and the name)'
            cand --knowledge-source 'A knowledge source TYPE:SOURCE[:FREQUENCY]; TYPE is markdown|json|api|database, FREQUENCY daily|weekly|monthly; a database source takes `URL#SQL QUERY` (repeatable)'
            cand --from-spec 'Read the whole request (reference design 2.1 body) from a JSON or YAML file'
            cand --template 'Template: a built-in name (`default`), a folder in the templates directory, or a path'
            cand --output-dir 'Directory the project folder is created in'
            cand --environment 'Target environment recorded in the agent''s deployment config'
            cand --memory 'Memory limit, e.g. 512M'
            cand --cpu 'CPU limit, e.g. 0.5'
            cand --base-image 'Base image of the generated Dockerfile'
            cand --git-base-url 'Git base URL; origin becomes <URL>/<name>.git'
            cand -q 'Print only data and errors; no progress or notes on stderr'
            cand --quiet 'Print only data and errors; no progress or notes on stderr'
            cand -v 'More detail on stderr (-v for info, -vv for debug)'
            cand --verbose 'More detail on stderr (-v for info, -vv for debug)'
            cand --push 'Push to origin (default: AGENT_FACTORY_AUTO_PUSH, true)'
            cand --no-push 'Do not push, even when a remote is configured'
            cand --dry-run 'Show what would be created; write nothing'
            cand -i 'Ask for the specification step by step (needs a terminal)'
            cand --interactive 'Ask for the specification step by step (needs a terminal)'
            cand --auto-deploy 'Deploy to the development environment after creation'
            cand --force 'Replace an existing agent of the same name'
            cand --keep-on-failure 'Keep what earlier steps made when a step fails, for inspection'
            cand -y 'Answer yes to the confirmation of the interactive summary'
            cand --yes 'Answer yes to the confirmation of the interactive summary'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'pc-hybrid;status'= {
            cand -o 'Output format of data written to stdout'
            cand --output 'Output format of data written to stdout'
            cand --profile 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]'
            cand -q 'Print only data and errors; no progress or notes on stderr'
            cand --quiet 'Print only data and errors; no progress or notes on stderr'
            cand -v 'More detail on stderr (-v for info, -vv for debug)'
            cand --verbose 'More detail on stderr (-v for info, -vv for debug)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'pc-hybrid;list-agents'= {
            cand -o 'Output format of data written to stdout'
            cand --output 'Output format of data written to stdout'
            cand --profile 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]'
            cand -q 'Print only data and errors; no progress or notes on stderr'
            cand --quiet 'Print only data and errors; no progress or notes on stderr'
            cand -v 'More detail on stderr (-v for info, -vv for debug)'
            cand --verbose 'More detail on stderr (-v for info, -vv for debug)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'pc-hybrid;deploy-agent'= {
            cand -o 'Output format of data written to stdout'
            cand --output 'Output format of data written to stdout'
            cand --profile 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]'
            cand --environment 'The environment deployed to'
            cand --replicas 'How many replicas (1 to 20)'
            cand --target 'Where it runs'
            cand --timeout 'Seconds a replica may take to become healthy'
            cand --port 'Port of the first replica on 127.0.0.1, one up for each next one (default: free ports)'
            cand --memory 'Memory limit instead of the agent''s own, e.g. 512M or 1Gi'
            cand --cpu 'CPU limit instead of the agent''s own, e.g. 0.5 or 500m'
            cand --manifests-dir 'Kubernetes: where the manifests are written (default: <data>/manifests/<agent>)'
            cand --namespace 'Kubernetes: the namespace'
            cand -q 'Print only data and errors; no progress or notes on stderr'
            cand --quiet 'Print only data and errors; no progress or notes on stderr'
            cand -v 'More detail on stderr (-v for info, -vv for debug)'
            cand --verbose 'More detail on stderr (-v for info, -vv for debug)'
            cand --wait 'Wait until every replica is healthy; roll back when one is not'
            cand --skip-scan 'Skip the pre-deploy scan (recorded with the deployment)'
            cand --apply 'Kubernetes: pipe the manifests to `kubectl apply` (needs a kubeconfig)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'pc-hybrid;undeploy'= {
            cand -o 'Output format of data written to stdout'
            cand --output 'Output format of data written to stdout'
            cand --profile 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]'
            cand --target 'Only this target (default: every target it is deployed to)'
            cand -q 'Print only data and errors; no progress or notes on stderr'
            cand --quiet 'Print only data and errors; no progress or notes on stderr'
            cand -v 'More detail on stderr (-v for info, -vv for debug)'
            cand --verbose 'More detail on stderr (-v for info, -vv for debug)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'pc-hybrid;logs'= {
            cand -o 'Output format of data written to stdout'
            cand --output 'Output format of data written to stdout'
            cand --profile 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]'
            cand --replica 'The replica, from 0'
            cand --target 'Only this target (default: the first deployment)'
            cand --tail 'Lines from the end'
            cand -q 'Print only data and errors; no progress or notes on stderr'
            cand --quiet 'Print only data and errors; no progress or notes on stderr'
            cand -v 'More detail on stderr (-v for info, -vv for debug)'
            cand --verbose 'More detail on stderr (-v for info, -vv for debug)'
            cand -f 'Keep printing what is appended'
            cand --follow 'Keep printing what is appended'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'pc-hybrid;restart'= {
            cand -o 'Output format of data written to stdout'
            cand --output 'Output format of data written to stdout'
            cand --profile 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]'
            cand --target 'Only this target'
            cand --timeout 'Seconds a replica may take to become healthy'
            cand -q 'Print only data and errors; no progress or notes on stderr'
            cand --quiet 'Print only data and errors; no progress or notes on stderr'
            cand -v 'More detail on stderr (-v for info, -vv for debug)'
            cand --verbose 'More detail on stderr (-v for info, -vv for debug)'
            cand --all 'Restart every replica, healthy or not'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'pc-hybrid;mcp'= {
            cand -o 'Output format of data written to stdout'
            cand --output 'Output format of data written to stdout'
            cand --profile 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]'
            cand -q 'Print only data and errors; no progress or notes on stderr'
            cand --quiet 'Print only data and errors; no progress or notes on stderr'
            cand -v 'More detail on stderr (-v for info, -vv for debug)'
            cand --verbose 'More detail on stderr (-v for info, -vv for debug)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand register 'Validate a server definition and store it in the registry'
            cand validate 'Run the same checks as `register` on one or more files; store nothing'
            cand list 'List the registered servers, agents and custom ones'
            cand show 'Show one registered server: manifest, conditions and findings'
            cand remove 'Remove a custom server (one version, or all of them)'
            cand export 'Print a registered server as a server.json (to publish it) or an MCPServer manifest'
            cand client-config 'Print the configuration that connects an MCP client to a registered server'
            cand rules 'List the security policy rules every server is checked against'
            cand approve 'Approve the tool definitions a server presents now that differ from those pinned (the gateway withholds such tools until then)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'pc-hybrid;mcp;register'= {
            cand --launch 'Which declared way of running the server to check live (default: command, else image, else url)'
            cand --timeout 'Seconds the live check may take from start to handshake (default: the server''s startup timeout)'
            cand --input 'A value the definition leaves to whoever runs the server (an argument''s valueHint or flag name, an environment variable, a URL variable); repeatable. Secrets are taken only from the environment variable of the same name, never from the command line'
            cand -o 'Output format of data written to stdout'
            cand --output 'Output format of data written to stdout'
            cand --profile 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]'
            cand --live 'Also start the server in a sandbox and check it over MCP (initialize, tools/list)'
            cand --replace 'Overwrite a custom server already registered with this name and version'
            cand -q 'Print only data and errors; no progress or notes on stderr'
            cand --quiet 'Print only data and errors; no progress or notes on stderr'
            cand -v 'More detail on stderr (-v for info, -vv for debug)'
            cand --verbose 'More detail on stderr (-v for info, -vv for debug)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'pc-hybrid;mcp;validate'= {
            cand --launch 'Which declared way of running the server to check live (default: command, else image, else url)'
            cand --timeout 'Seconds the live check may take from start to handshake (default: the server''s startup timeout)'
            cand --input 'A value the definition leaves to whoever runs the server (an argument''s valueHint or flag name, an environment variable, a URL variable); repeatable. Secrets are taken only from the environment variable of the same name, never from the command line'
            cand -o 'Output format of data written to stdout'
            cand --output 'Output format of data written to stdout'
            cand --profile 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]'
            cand --live 'Also start the server in a sandbox and check it over MCP (initialize, tools/list)'
            cand -q 'Print only data and errors; no progress or notes on stderr'
            cand --quiet 'Print only data and errors; no progress or notes on stderr'
            cand -v 'More detail on stderr (-v for info, -vv for debug)'
            cand --verbose 'More detail on stderr (-v for info, -vv for debug)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'pc-hybrid;mcp;list'= {
            cand -o 'Output format of data written to stdout'
            cand --output 'Output format of data written to stdout'
            cand --profile 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]'
            cand -q 'Print only data and errors; no progress or notes on stderr'
            cand --quiet 'Print only data and errors; no progress or notes on stderr'
            cand -v 'More detail on stderr (-v for info, -vv for debug)'
            cand --verbose 'More detail on stderr (-v for info, -vv for debug)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'pc-hybrid;mcp;show'= {
            cand --version 'One version (default: show the highest; remove all)'
            cand -o 'Output format of data written to stdout'
            cand --output 'Output format of data written to stdout'
            cand --profile 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]'
            cand -q 'Print only data and errors; no progress or notes on stderr'
            cand --quiet 'Print only data and errors; no progress or notes on stderr'
            cand -v 'More detail on stderr (-v for info, -vv for debug)'
            cand --verbose 'More detail on stderr (-v for info, -vv for debug)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'pc-hybrid;mcp;remove'= {
            cand --version 'One version (default: show the highest; remove all)'
            cand -o 'Output format of data written to stdout'
            cand --output 'Output format of data written to stdout'
            cand --profile 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]'
            cand -q 'Print only data and errors; no progress or notes on stderr'
            cand --quiet 'Print only data and errors; no progress or notes on stderr'
            cand -v 'More detail on stderr (-v for info, -vv for debug)'
            cand --verbose 'More detail on stderr (-v for info, -vv for debug)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'pc-hybrid;mcp;export'= {
            cand --version 'The version (default: the highest)'
            cand --format 'What to print'
            cand --namespace 'Reverse-DNS namespace of the server.json name, e.g. io.github.your-user'
            cand -o 'Output format of data written to stdout'
            cand --output 'Output format of data written to stdout'
            cand --profile 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]'
            cand -q 'Print only data and errors; no progress or notes on stderr'
            cand --quiet 'Print only data and errors; no progress or notes on stderr'
            cand -v 'More detail on stderr (-v for info, -vv for debug)'
            cand --verbose 'More detail on stderr (-v for info, -vv for debug)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'pc-hybrid;mcp;client-config'= {
            cand --version 'The version (default: the highest)'
            cand --client 'The MCP client'
            cand -o 'Output format of data written to stdout'
            cand --output 'Output format of data written to stdout'
            cand --profile 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]'
            cand -q 'Print only data and errors; no progress or notes on stderr'
            cand --quiet 'Print only data and errors; no progress or notes on stderr'
            cand -v 'More detail on stderr (-v for info, -vv for debug)'
            cand --verbose 'More detail on stderr (-v for info, -vv for debug)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'pc-hybrid;mcp;rules'= {
            cand -o 'Output format of data written to stdout'
            cand --output 'Output format of data written to stdout'
            cand --profile 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]'
            cand -q 'Print only data and errors; no progress or notes on stderr'
            cand --quiet 'Print only data and errors; no progress or notes on stderr'
            cand -v 'More detail on stderr (-v for info, -vv for debug)'
            cand --verbose 'More detail on stderr (-v for info, -vv for debug)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'pc-hybrid;mcp;approve'= {
            cand --tool 'Only this tool (by the server''s name for it)'
            cand -o 'Output format of data written to stdout'
            cand --output 'Output format of data written to stdout'
            cand --profile 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]'
            cand -q 'Print only data and errors; no progress or notes on stderr'
            cand --quiet 'Print only data and errors; no progress or notes on stderr'
            cand -v 'More detail on stderr (-v for info, -vv for debug)'
            cand --verbose 'More detail on stderr (-v for info, -vv for debug)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'pc-hybrid;mcp;help'= {
            cand register 'Validate a server definition and store it in the registry'
            cand validate 'Run the same checks as `register` on one or more files; store nothing'
            cand list 'List the registered servers, agents and custom ones'
            cand show 'Show one registered server: manifest, conditions and findings'
            cand remove 'Remove a custom server (one version, or all of them)'
            cand export 'Print a registered server as a server.json (to publish it) or an MCPServer manifest'
            cand client-config 'Print the configuration that connects an MCP client to a registered server'
            cand rules 'List the security policy rules every server is checked against'
            cand approve 'Approve the tool definitions a server presents now that differ from those pinned (the gateway withholds such tools until then)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'pc-hybrid;mcp;help;register'= {
        }
        &'pc-hybrid;mcp;help;validate'= {
        }
        &'pc-hybrid;mcp;help;list'= {
        }
        &'pc-hybrid;mcp;help;show'= {
        }
        &'pc-hybrid;mcp;help;remove'= {
        }
        &'pc-hybrid;mcp;help;export'= {
        }
        &'pc-hybrid;mcp;help;client-config'= {
        }
        &'pc-hybrid;mcp;help;rules'= {
        }
        &'pc-hybrid;mcp;help;approve'= {
        }
        &'pc-hybrid;mcp;help;help'= {
        }
        &'pc-hybrid;audit'= {
            cand -o 'Output format of data written to stdout'
            cand --output 'Output format of data written to stdout'
            cand --profile 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]'
            cand -q 'Print only data and errors; no progress or notes on stderr'
            cand --quiet 'Print only data and errors; no progress or notes on stderr'
            cand -v 'More detail on stderr (-v for info, -vv for debug)'
            cand --verbose 'More detail on stderr (-v for info, -vv for debug)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand ingest 'Store events (JSONL in the audit schema) from a file or stdin; bad lines are reported with their numbers and the others stored'
            cand query 'Events matching every filter given, oldest first'
            cand tail 'The newest events; with --follow, keep printing new ones'
            cand export 'Every event (or those since a time) as JSONL or CSV'
            cand verify 'Check every hash and checkpoint signature; exit 1 naming the first bad sequence'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'pc-hybrid;audit;ingest'= {
            cand -o 'Output format of data written to stdout'
            cand --output 'Output format of data written to stdout'
            cand --profile 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]'
            cand --ack 'Print each event''s id (and sequence) only once it is durable'
            cand -q 'Print only data and errors; no progress or notes on stderr'
            cand --quiet 'Print only data and errors; no progress or notes on stderr'
            cand -v 'More detail on stderr (-v for info, -vv for debug)'
            cand --verbose 'More detail on stderr (-v for info, -vv for debug)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'pc-hybrid;audit;query'= {
            cand --since 'From this time (RFC 3339, or a duration back from now such as 24h or 7d)'
            cand --until 'Before this time (RFC 3339 or a duration back from now)'
            cand --user 'user'
            cand --type 'The event type'
            cand --severity 'The severity'
            cand --outcome 'The outcome''s status'
            cand --resource 'The action''s resource (document, agent, ...)'
            cand --agent 'The agent the event names (context.agent_id)'
            cand --match-hmac 'Events holding this sensitive value (compared by its HMAC, never stored in clear)'
            cand --limit 'Show at most this many: the newest that match, oldest first'
            cand -o 'Output format of data written to stdout'
            cand --output 'Output format of data written to stdout'
            cand --profile 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]'
            cand -q 'Print only data and errors; no progress or notes on stderr'
            cand --quiet 'Print only data and errors; no progress or notes on stderr'
            cand -v 'More detail on stderr (-v for info, -vv for debug)'
            cand --verbose 'More detail on stderr (-v for info, -vv for debug)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'pc-hybrid;audit;tail'= {
            cand -n 'How many of the newest events to show first'
            cand --lines 'How many of the newest events to show first'
            cand -o 'Output format of data written to stdout'
            cand --output 'Output format of data written to stdout'
            cand --profile 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]'
            cand -f 'Keep printing events as they are stored, one line each (JSON Lines with -o json, YAML documents with -o yaml), until interrupted'
            cand --follow 'Keep printing events as they are stored, one line each (JSON Lines with -o json, YAML documents with -o yaml), until interrupted'
            cand -q 'Print only data and errors; no progress or notes on stderr'
            cand --quiet 'Print only data and errors; no progress or notes on stderr'
            cand -v 'More detail on stderr (-v for info, -vv for debug)'
            cand --verbose 'More detail on stderr (-v for info, -vv for debug)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'pc-hybrid;audit;export'= {
            cand --format 'format'
            cand --since 'From this time (RFC 3339 or a duration back from now)'
            cand -o 'Output format of data written to stdout'
            cand --output 'Output format of data written to stdout'
            cand --profile 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]'
            cand -q 'Print only data and errors; no progress or notes on stderr'
            cand --quiet 'Print only data and errors; no progress or notes on stderr'
            cand -v 'More detail on stderr (-v for info, -vv for debug)'
            cand --verbose 'More detail on stderr (-v for info, -vv for debug)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'pc-hybrid;audit;verify'= {
            cand -o 'Output format of data written to stdout'
            cand --output 'Output format of data written to stdout'
            cand --profile 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]'
            cand -q 'Print only data and errors; no progress or notes on stderr'
            cand --quiet 'Print only data and errors; no progress or notes on stderr'
            cand -v 'More detail on stderr (-v for info, -vv for debug)'
            cand --verbose 'More detail on stderr (-v for info, -vv for debug)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'pc-hybrid;audit;help'= {
            cand ingest 'Store events (JSONL in the audit schema) from a file or stdin; bad lines are reported with their numbers and the others stored'
            cand query 'Events matching every filter given, oldest first'
            cand tail 'The newest events; with --follow, keep printing new ones'
            cand export 'Every event (or those since a time) as JSONL or CSV'
            cand verify 'Check every hash and checkpoint signature; exit 1 naming the first bad sequence'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'pc-hybrid;audit;help;ingest'= {
        }
        &'pc-hybrid;audit;help;query'= {
        }
        &'pc-hybrid;audit;help;tail'= {
        }
        &'pc-hybrid;audit;help;export'= {
        }
        &'pc-hybrid;audit;help;verify'= {
        }
        &'pc-hybrid;audit;help;help'= {
        }
        &'pc-hybrid;invoke'= {
            cand -o 'Output format of data written to stdout'
            cand --output 'Output format of data written to stdout'
            cand --profile 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]'
            cand --arg 'An argument: `key=value` for a string, `key:=json` for any JSON value (a number, true, an object); repeatable'
            cand --json 'All arguments as one JSON object'
            cand -q 'Print only data and errors; no progress or notes on stderr'
            cand --quiet 'Print only data and errors; no progress or notes on stderr'
            cand -v 'More detail on stderr (-v for info, -vv for debug)'
            cand --verbose 'More detail on stderr (-v for info, -vv for debug)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'pc-hybrid;gateway'= {
            cand -o 'Output format of data written to stdout'
            cand --output 'Output format of data written to stdout'
            cand --profile 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]'
            cand -q 'Print only data and errors; no progress or notes on stderr'
            cand --quiet 'Print only data and errors; no progress or notes on stderr'
            cand -v 'More detail on stderr (-v for info, -vv for debug)'
            cand --verbose 'More detail on stderr (-v for info, -vv for debug)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand status 'The tools offered (by the name clients see), those withheld and why, and every upstream replica with its health'
            cand stdio 'Serve the gateway over stdio, for a desktop MCP client (`mcp client-config gateway` prints its configuration)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'pc-hybrid;gateway;status'= {
            cand -o 'Output format of data written to stdout'
            cand --output 'Output format of data written to stdout'
            cand --profile 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]'
            cand -q 'Print only data and errors; no progress or notes on stderr'
            cand --quiet 'Print only data and errors; no progress or notes on stderr'
            cand -v 'More detail on stderr (-v for info, -vv for debug)'
            cand --verbose 'More detail on stderr (-v for info, -vv for debug)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'pc-hybrid;gateway;stdio'= {
            cand -o 'Output format of data written to stdout'
            cand --output 'Output format of data written to stdout'
            cand --profile 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]'
            cand -q 'Print only data and errors; no progress or notes on stderr'
            cand --quiet 'Print only data and errors; no progress or notes on stderr'
            cand -v 'More detail on stderr (-v for info, -vv for debug)'
            cand --verbose 'More detail on stderr (-v for info, -vv for debug)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'pc-hybrid;gateway;help'= {
            cand status 'The tools offered (by the name clients see), those withheld and why, and every upstream replica with its health'
            cand stdio 'Serve the gateway over stdio, for a desktop MCP client (`mcp client-config gateway` prints its configuration)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'pc-hybrid;gateway;help;status'= {
        }
        &'pc-hybrid;gateway;help;stdio'= {
        }
        &'pc-hybrid;gateway;help;help'= {
        }
        &'pc-hybrid;executions'= {
            cand -o 'Output format of data written to stdout'
            cand --output 'Output format of data written to stdout'
            cand --profile 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]'
            cand --agent 'Only this agent''s (or registered server''s)'
            cand --user 'Only this user''s'
            cand --since 'From this time on: RFC 3339, or a duration back from now (30m, 24h, 7d)'
            cand --until 'Before this time'
            cand --status 'Only those that ended so'
            cand --limit 'The newest N that match'
            cand -q 'Print only data and errors; no progress or notes on stderr'
            cand --quiet 'Print only data and errors; no progress or notes on stderr'
            cand -v 'More detail on stderr (-v for info, -vv for debug)'
            cand --verbose 'More detail on stderr (-v for info, -vv for debug)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand import 'Import executions recorded elsewhere: one JSON object per line (`-` or no FILE for stdin). Each line is checked; those already stored (by id) are counted, not stored again'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'pc-hybrid;executions;import'= {
            cand -o 'Output format of data written to stdout'
            cand --output 'Output format of data written to stdout'
            cand --profile 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]'
            cand -q 'Print only data and errors; no progress or notes on stderr'
            cand --quiet 'Print only data and errors; no progress or notes on stderr'
            cand -v 'More detail on stderr (-v for info, -vv for debug)'
            cand --verbose 'More detail on stderr (-v for info, -vv for debug)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'pc-hybrid;executions;help'= {
            cand import 'Import executions recorded elsewhere: one JSON object per line (`-` or no FILE for stdin). Each line is checked; those already stored (by id) are counted, not stored again'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'pc-hybrid;executions;help;import'= {
        }
        &'pc-hybrid;executions;help;help'= {
        }
        &'pc-hybrid;feedback'= {
            cand -o 'Output format of data written to stdout'
            cand --output 'Output format of data written to stdout'
            cand --profile 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]'
            cand --rating 'From 1 (bad) to 5 (good)'
            cand --correct 'Whether the answer was correct'
            cand -q 'Print only data and errors; no progress or notes on stderr'
            cand --quiet 'Print only data and errors; no progress or notes on stderr'
            cand -v 'More detail on stderr (-v for info, -vv for debug)'
            cand --verbose 'More detail on stderr (-v for info, -vv for debug)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'pc-hybrid;analytics'= {
            cand -o 'Output format of data written to stdout'
            cand --output 'Output format of data written to stdout'
            cand --profile 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]'
            cand -q 'Print only data and errors; no progress or notes on stderr'
            cand --quiet 'Print only data and errors; no progress or notes on stderr'
            cand -v 'More detail on stderr (-v for info, -vv for debug)'
            cand --verbose 'More detail on stderr (-v for info, -vv for debug)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand insights 'The summary, trends (volume, p50/p95/p99 latency, model and infrastructure cost), agent performance and recommendations of a period; `-o json` prints the insights API''s body'
            cand report 'One self-contained HTML page of a period (charts drawn as inline SVG, nothing fetched from anywhere): volume, latency percentiles, cost by kind, the agents, the recommendations and the alerts that fired'
            cand alerts 'The alert rules (`analytics.alerts` in the config file)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'pc-hybrid;analytics;insights'= {
            cand --time-range 'How far back: whole UTC days, the last one today'
            cand --metrics 'Which parts, comma-separated (default: all)'
            cand --granularity 'The length of one point of the trends (hourly covers at most 31 days)'
            cand --agent-filter 'Only these agents (or registered servers), comma-separated'
            cand --user-filter 'Only these users'' calls, comma-separated'
            cand -o 'Output format of data written to stdout'
            cand --output 'Output format of data written to stdout'
            cand --profile 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]'
            cand --exact 'Compute from the executions themselves instead of the rollups: percentiles exact rather than within 1 %; slower on large stores'
            cand -q 'Print only data and errors; no progress or notes on stderr'
            cand --quiet 'Print only data and errors; no progress or notes on stderr'
            cand -v 'More detail on stderr (-v for info, -vv for debug)'
            cand --verbose 'More detail on stderr (-v for info, -vv for debug)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'pc-hybrid;analytics;report'= {
            cand --time-range 'How far back: whole UTC days, the last one today'
            cand --granularity 'The length of one point of the charts (hourly covers at most 31 days)'
            cand --agent-filter 'Only these agents (or registered servers), comma-separated'
            cand --html 'Where to write the page (replaced whole, never left half-written)'
            cand -o 'Output format of data written to stdout'
            cand --output 'Output format of data written to stdout'
            cand --profile 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]'
            cand -q 'Print only data and errors; no progress or notes on stderr'
            cand --quiet 'Print only data and errors; no progress or notes on stderr'
            cand -v 'More detail on stderr (-v for info, -vv for debug)'
            cand --verbose 'More detail on stderr (-v for info, -vv for debug)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'pc-hybrid;analytics;alerts'= {
            cand -o 'Output format of data written to stdout'
            cand --output 'Output format of data written to stdout'
            cand --profile 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]'
            cand -q 'Print only data and errors; no progress or notes on stderr'
            cand --quiet 'Print only data and errors; no progress or notes on stderr'
            cand -v 'More detail on stderr (-v for info, -vv for debug)'
            cand --verbose 'More detail on stderr (-v for info, -vv for debug)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand check 'Evaluate every rule once: each firing alert is posted to ANALYTICS_ALERT_WEBHOOK_URL (unless it was sent within the throttle), kept and audited. Exit 1 when one fires: fit for cron. The daemon evaluates them continuously'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'pc-hybrid;analytics;alerts;check'= {
            cand -o 'Output format of data written to stdout'
            cand --output 'Output format of data written to stdout'
            cand --profile 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]'
            cand -q 'Print only data and errors; no progress or notes on stderr'
            cand --quiet 'Print only data and errors; no progress or notes on stderr'
            cand -v 'More detail on stderr (-v for info, -vv for debug)'
            cand --verbose 'More detail on stderr (-v for info, -vv for debug)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'pc-hybrid;analytics;alerts;help'= {
            cand check 'Evaluate every rule once: each firing alert is posted to ANALYTICS_ALERT_WEBHOOK_URL (unless it was sent within the throttle), kept and audited. Exit 1 when one fires: fit for cron. The daemon evaluates them continuously'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'pc-hybrid;analytics;alerts;help;check'= {
        }
        &'pc-hybrid;analytics;alerts;help;help'= {
        }
        &'pc-hybrid;analytics;help'= {
            cand insights 'The summary, trends (volume, p50/p95/p99 latency, model and infrastructure cost), agent performance and recommendations of a period; `-o json` prints the insights API''s body'
            cand report 'One self-contained HTML page of a period (charts drawn as inline SVG, nothing fetched from anywhere): volume, latency percentiles, cost by kind, the agents, the recommendations and the alerts that fired'
            cand alerts 'The alert rules (`analytics.alerts` in the config file)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'pc-hybrid;analytics;help;insights'= {
        }
        &'pc-hybrid;analytics;help;report'= {
        }
        &'pc-hybrid;analytics;help;alerts'= {
            cand check 'Evaluate every rule once: each firing alert is posted to ANALYTICS_ALERT_WEBHOOK_URL (unless it was sent within the throttle), kept and audited. Exit 1 when one fires: fit for cron. The daemon evaluates them continuously'
        }
        &'pc-hybrid;analytics;help;alerts;check'= {
        }
        &'pc-hybrid;analytics;help;help'= {
        }
        &'pc-hybrid;login'= {
            cand -o 'Output format of data written to stdout'
            cand --output 'Output format of data written to stdout'
            cand --profile 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]'
            cand --port 'The loopback port of the browser flow, e.g. to forward it with `ssh -L`'
            cand -q 'Print only data and errors; no progress or notes on stderr'
            cand --quiet 'Print only data and errors; no progress or notes on stderr'
            cand -v 'More detail on stderr (-v for info, -vv for debug)'
            cand --verbose 'More detail on stderr (-v for info, -vv for debug)'
            cand --device 'Device authorization: open a URL on any device and confirm the code shown here'
            cand --browser 'Authorization code with PKCE: a browser on this machine comes back to a loopback port'
            cand --client-credentials 'The client''s own credentials, for CI: KEYCLOAK_CLIENT_ID with the secret from KEYCLOAK_CLIENT_SECRET or stdin (never from a flag)'
            cand --with-token 'Read an access token from stdin; it is verified before it is stored'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'pc-hybrid;logout'= {
            cand -o 'Output format of data written to stdout'
            cand --output 'Output format of data written to stdout'
            cand --profile 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]'
            cand -q 'Print only data and errors; no progress or notes on stderr'
            cand --quiet 'Print only data and errors; no progress or notes on stderr'
            cand -v 'More detail on stderr (-v for info, -vv for debug)'
            cand --verbose 'More detail on stderr (-v for info, -vv for debug)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'pc-hybrid;whoami'= {
            cand -o 'Output format of data written to stdout'
            cand --output 'Output format of data written to stdout'
            cand --profile 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]'
            cand -q 'Print only data and errors; no progress or notes on stderr'
            cand --quiet 'Print only data and errors; no progress or notes on stderr'
            cand -v 'More detail on stderr (-v for info, -vv for debug)'
            cand --verbose 'More detail on stderr (-v for info, -vv for debug)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'pc-hybrid;auth'= {
            cand -o 'Output format of data written to stdout'
            cand --output 'Output format of data written to stdout'
            cand --profile 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]'
            cand -q 'Print only data and errors; no progress or notes on stderr'
            cand --quiet 'Print only data and errors; no progress or notes on stderr'
            cand -v 'More detail on stderr (-v for info, -vv for debug)'
            cand --verbose 'More detail on stderr (-v for info, -vv for debug)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand token 'Print a valid access token (refreshed first when it is about to expire)'
            cand status 'Exit 0 when logged in, 3 when not'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'pc-hybrid;auth;token'= {
            cand -o 'Output format of data written to stdout'
            cand --output 'Output format of data written to stdout'
            cand --profile 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]'
            cand -q 'Print only data and errors; no progress or notes on stderr'
            cand --quiet 'Print only data and errors; no progress or notes on stderr'
            cand -v 'More detail on stderr (-v for info, -vv for debug)'
            cand --verbose 'More detail on stderr (-v for info, -vv for debug)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'pc-hybrid;auth;status'= {
            cand -o 'Output format of data written to stdout'
            cand --output 'Output format of data written to stdout'
            cand --profile 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]'
            cand -q 'Print only data and errors; no progress or notes on stderr'
            cand --quiet 'Print only data and errors; no progress or notes on stderr'
            cand -v 'More detail on stderr (-v for info, -vv for debug)'
            cand --verbose 'More detail on stderr (-v for info, -vv for debug)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'pc-hybrid;auth;help'= {
            cand token 'Print a valid access token (refreshed first when it is about to expire)'
            cand status 'Exit 0 when logged in, 3 when not'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'pc-hybrid;auth;help;token'= {
        }
        &'pc-hybrid;auth;help;status'= {
        }
        &'pc-hybrid;auth;help;help'= {
        }
        &'pc-hybrid;config'= {
            cand -o 'Output format of data written to stdout'
            cand --output 'Output format of data written to stdout'
            cand --profile 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]'
            cand -q 'Print only data and errors; no progress or notes on stderr'
            cand --quiet 'Print only data and errors; no progress or notes on stderr'
            cand -v 'More detail on stderr (-v for info, -vv for debug)'
            cand --verbose 'More detail on stderr (-v for info, -vv for debug)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand show 'Print every resolved setting with where it came from (secrets redacted)'
            cand set-git-token 'Store a git token for HTTPS pushes in the OS keyring, read from stdin'
            cand clear-git-token 'Remove the git token from the OS keyring'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'pc-hybrid;config;show'= {
            cand -o 'Output format of data written to stdout'
            cand --output 'Output format of data written to stdout'
            cand --profile 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]'
            cand -q 'Print only data and errors; no progress or notes on stderr'
            cand --quiet 'Print only data and errors; no progress or notes on stderr'
            cand -v 'More detail on stderr (-v for info, -vv for debug)'
            cand --verbose 'More detail on stderr (-v for info, -vv for debug)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'pc-hybrid;config;set-git-token'= {
            cand -o 'Output format of data written to stdout'
            cand --output 'Output format of data written to stdout'
            cand --profile 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]'
            cand -q 'Print only data and errors; no progress or notes on stderr'
            cand --quiet 'Print only data and errors; no progress or notes on stderr'
            cand -v 'More detail on stderr (-v for info, -vv for debug)'
            cand --verbose 'More detail on stderr (-v for info, -vv for debug)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'pc-hybrid;config;clear-git-token'= {
            cand -o 'Output format of data written to stdout'
            cand --output 'Output format of data written to stdout'
            cand --profile 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]'
            cand -q 'Print only data and errors; no progress or notes on stderr'
            cand --quiet 'Print only data and errors; no progress or notes on stderr'
            cand -v 'More detail on stderr (-v for info, -vv for debug)'
            cand --verbose 'More detail on stderr (-v for info, -vv for debug)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'pc-hybrid;config;help'= {
            cand show 'Print every resolved setting with where it came from (secrets redacted)'
            cand set-git-token 'Store a git token for HTTPS pushes in the OS keyring, read from stdin'
            cand clear-git-token 'Remove the git token from the OS keyring'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'pc-hybrid;config;help;show'= {
        }
        &'pc-hybrid;config;help;set-git-token'= {
        }
        &'pc-hybrid;config;help;clear-git-token'= {
        }
        &'pc-hybrid;config;help;help'= {
        }
        &'pc-hybrid;doctor'= {
            cand -o 'Output format of data written to stdout'
            cand --output 'Output format of data written to stdout'
            cand --profile 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]'
            cand -q 'Print only data and errors; no progress or notes on stderr'
            cand --quiet 'Print only data and errors; no progress or notes on stderr'
            cand -v 'More detail on stderr (-v for info, -vv for debug)'
            cand --verbose 'More detail on stderr (-v for info, -vv for debug)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'pc-hybrid;daemon'= {
            cand -o 'Output format of data written to stdout'
            cand --output 'Output format of data written to stdout'
            cand --profile 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]'
            cand -q 'Print only data and errors; no progress or notes on stderr'
            cand --quiet 'Print only data and errors; no progress or notes on stderr'
            cand -v 'More detail on stderr (-v for info, -vv for debug)'
            cand --verbose 'More detail on stderr (-v for info, -vv for debug)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand run 'Serve in the foreground, logging to stderr (for systemd and containers)'
            cand start 'Start in the background; returns once it answers'
            cand stop 'Stop gracefully: running operations finish and every acknowledged event is durable'
            cand status 'Pid, version, protocol, uptime, socket, stores, audit queue and requests served'
            cand restart 'Stop, then start (after an upgrade, or when the protocol does not match)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'pc-hybrid;daemon;run'= {
            cand --listen 'Also serve the API over TCP on ADDR:PORT for other machines'' CLIs and scripts; every request needs `Authorization: Bearer <JWT>` of the SSO provider. TLS is required on any address but loopback'
            cand --tls-cert 'PEM certificate chain of the TCP listener'
            cand --tls-key 'PEM private key of the TCP listener'
            cand -o 'Output format of data written to stdout'
            cand --output 'Output format of data written to stdout'
            cand --profile 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]'
            cand -q 'Print only data and errors; no progress or notes on stderr'
            cand --quiet 'Print only data and errors; no progress or notes on stderr'
            cand -v 'More detail on stderr (-v for info, -vv for debug)'
            cand --verbose 'More detail on stderr (-v for info, -vv for debug)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'pc-hybrid;daemon;start'= {
            cand -o 'Output format of data written to stdout'
            cand --output 'Output format of data written to stdout'
            cand --profile 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]'
            cand -q 'Print only data and errors; no progress or notes on stderr'
            cand --quiet 'Print only data and errors; no progress or notes on stderr'
            cand -v 'More detail on stderr (-v for info, -vv for debug)'
            cand --verbose 'More detail on stderr (-v for info, -vv for debug)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'pc-hybrid;daemon;stop'= {
            cand -o 'Output format of data written to stdout'
            cand --output 'Output format of data written to stdout'
            cand --profile 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]'
            cand -q 'Print only data and errors; no progress or notes on stderr'
            cand --quiet 'Print only data and errors; no progress or notes on stderr'
            cand -v 'More detail on stderr (-v for info, -vv for debug)'
            cand --verbose 'More detail on stderr (-v for info, -vv for debug)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'pc-hybrid;daemon;status'= {
            cand -o 'Output format of data written to stdout'
            cand --output 'Output format of data written to stdout'
            cand --profile 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]'
            cand -q 'Print only data and errors; no progress or notes on stderr'
            cand --quiet 'Print only data and errors; no progress or notes on stderr'
            cand -v 'More detail on stderr (-v for info, -vv for debug)'
            cand --verbose 'More detail on stderr (-v for info, -vv for debug)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'pc-hybrid;daemon;restart'= {
            cand -o 'Output format of data written to stdout'
            cand --output 'Output format of data written to stdout'
            cand --profile 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]'
            cand -q 'Print only data and errors; no progress or notes on stderr'
            cand --quiet 'Print only data and errors; no progress or notes on stderr'
            cand -v 'More detail on stderr (-v for info, -vv for debug)'
            cand --verbose 'More detail on stderr (-v for info, -vv for debug)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'pc-hybrid;daemon;help'= {
            cand run 'Serve in the foreground, logging to stderr (for systemd and containers)'
            cand start 'Start in the background; returns once it answers'
            cand stop 'Stop gracefully: running operations finish and every acknowledged event is durable'
            cand status 'Pid, version, protocol, uptime, socket, stores, audit queue and requests served'
            cand restart 'Stop, then start (after an upgrade, or when the protocol does not match)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'pc-hybrid;daemon;help;run'= {
        }
        &'pc-hybrid;daemon;help;start'= {
        }
        &'pc-hybrid;daemon;help;stop'= {
        }
        &'pc-hybrid;daemon;help;status'= {
        }
        &'pc-hybrid;daemon;help;restart'= {
        }
        &'pc-hybrid;daemon;help;help'= {
        }
        &'pc-hybrid;completions'= {
            cand -o 'Output format of data written to stdout'
            cand --output 'Output format of data written to stdout'
            cand --profile 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]'
            cand -q 'Print only data and errors; no progress or notes on stderr'
            cand --quiet 'Print only data and errors; no progress or notes on stderr'
            cand -v 'More detail on stderr (-v for info, -vv for debug)'
            cand --verbose 'More detail on stderr (-v for info, -vv for debug)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'pc-hybrid;help'= {
            cand create-agent 'Create an agent project from a template, commit it to git, push and register it'
            cand status 'Show the steps of an agent creation'
            cand list-agents 'List the agents with their deployments: target, environment, replicas wanted and healthy, endpoints, artifact and last health check'
            cand deploy-agent 'Deploy an agent: local processes (default), Docker containers or Kubernetes manifests'
            cand undeploy 'Stop and remove an agent''s deployments'
            cand logs 'Show the log of one replica of a deployed agent'
            cand restart 'Start again the replicas of a deployment that are not healthy'
            cand mcp 'The MCP registry: register, validate, list, show, remove and export MCP servers'
            cand audit 'The audit trail: ingest, query, tail, export and verify events'
            cand invoke 'Call a tool of a deployed agent or registered server through the gateway: governed, audited and recorded as an execution like any MCP client''s call'
            cand gateway 'The MCP gateway: one MCP endpoint in front of every deployed agent and registered server (the daemon serves it at /mcp)'
            cand executions 'Tool calls (executions) recorded here or imported: list them, or import JSON Lines'
            cand feedback 'Judge an execution: a rating from 1 to 5, and whether its answer was correct'
            cand analytics 'Analytics over the executions: insights of a period, from rollups kept as calls are recorded'
            cand login 'Log in to the SSO provider: device code, browser, client credentials or a token'
            cand logout 'Log out: revoke the session at the provider, then forget its tokens here'
            cand whoami 'Who the session says you are: user, organization, roles, token expiries, where the tokens are kept and which operations your roles allow'
            cand auth 'Tokens for scripts: print a valid access token, or check whether you are logged in'
            cand config 'Inspect the resolved configuration'
            cand doctor 'Check the environment: git identity, Docker Engine, keyring, Python and MCP SDK, store'
            cand daemon 'The background daemon: one store handle and one audit pipeline for every command'
            cand completions 'Print a shell completion script'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'pc-hybrid;help;create-agent'= {
        }
        &'pc-hybrid;help;status'= {
        }
        &'pc-hybrid;help;list-agents'= {
        }
        &'pc-hybrid;help;deploy-agent'= {
        }
        &'pc-hybrid;help;undeploy'= {
        }
        &'pc-hybrid;help;logs'= {
        }
        &'pc-hybrid;help;restart'= {
        }
        &'pc-hybrid;help;mcp'= {
        }
        &'pc-hybrid;help;audit'= {
        }
        &'pc-hybrid;help;invoke'= {
        }
        &'pc-hybrid;help;gateway'= {
        }
        &'pc-hybrid;help;executions'= {
        }
        &'pc-hybrid;help;feedback'= {
        }
        &'pc-hybrid;help;analytics'= {
        }
        &'pc-hybrid;help;login'= {
        }
        &'pc-hybrid;help;logout'= {
        }
        &'pc-hybrid;help;whoami'= {
        }
        &'pc-hybrid;help;auth'= {
        }
        &'pc-hybrid;help;config'= {
        }
        &'pc-hybrid;help;doctor'= {
        }
        &'pc-hybrid;help;daemon'= {
        }
        &'pc-hybrid;help;completions'= {
        }
        &'pc-hybrid;help;help'= {
        }
    ]
    $completions[$command]
}
