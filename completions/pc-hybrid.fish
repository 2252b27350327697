# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_pc_hybrid_global_optspecs
    string join \n o/output= q/quiet v/verbose profile= h/help V/version
end

function __fish_pc_hybrid_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_pc_hybrid_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_pc_hybrid_using_subcommand
    set -l cmd (__fish_pc_hybrid_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c pc-hybrid -n "__fish_pc_hybrid_needs_command" -s o -l output -d 'Output format of data written to stdout' -r -f -a "table\t''
json\t''
yaml\t''"
complete -c pc-hybrid -n "__fish_pc_hybrid_needs_command" -l profile -d 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]' -r
complete -c pc-hybrid -n "__fish_pc_hybrid_needs_command" -s q -l quiet -d 'Print only data and errors; no progress or notes on stderr'
complete -c pc-hybrid -n "__fish_pc_hybrid_needs_command" -s v -l verbose -d 'More detail on stderr (-v for info, -vv for debug)'
complete -c pc-hybrid -n "__fish_pc_hybrid_needs_command" -s h -l help -d 'Print help'
complete -c pc-hybrid -n "__fish_pc_hybrid_needs_command" -s V -l version -d 'Print version'
complete -c pc-hybrid -n "__fish_pc_hybrid_needs_command" -f -a "create-agent" -d 'Create an agent project from a template, commit it to git, push and register it'
complete -c pc-hybrid -n "__fish_pc_hybrid_needs_command" -f -a "status" -d 'Show the steps of an agent creation'
complete -c pc-hybrid -n "__fish_pc_hybrid_needs_command" -f -a "list-agents" -d 'List the agents with their deployments: target, environment, replicas wanted and healthy, endpoints, artifact and last health check'
complete -c pc-hybrid -n "__fish_pc_hybrid_needs_command" -f -a "deploy-agent" -d 'Deploy an agent: local processes (default), Docker containers or Kubernetes manifests'
complete -c pc-hybrid -n "__fish_pc_hybrid_needs_command" -f -a "undeploy" -d 'Stop and remove an agent\'s deployments'
complete -c pc-hybrid -n "__fish_pc_hybrid_needs_command" -f -a "logs" -d 'Show the log of one replica of a deployed agent'
complete -c pc-hybrid -n "__fish_pc_hybrid_needs_command" -f -a "restart" -d 'Start again the replicas of a deployment that are not healthy'
complete -c pc-hybrid -n "__fish_pc_hybrid_needs_command" -f -a "mcp" -d 'The MCP registry: register, validate, list, show, remove and export MCP servers'
complete -c pc-hybrid -n "__fish_pc_hybrid_needs_command" -f -a "audit" -d 'The audit trail: ingest, query, tail, export and verify events'
complete -c pc-hybrid -n "__fish_pc_hybrid_needs_command" -f -a "invoke" -d 'Call a tool of a deployed agent or registered server through the gateway: governed, audited and recorded as an execution like any MCP client\'s call'
complete -c pc-hybrid -n "__fish_pc_hybrid_needs_command" -f -a "gateway" -d 'The MCP gateway: one MCP endpoint in front of every deployed agent and registered server (the daemon serves it at /mcp)'
complete -c pc-hybrid -n "__fish_pc_hybrid_needs_command" -f -a "executions" -d 'Tool calls (executions) recorded here or imported: list them, or import JSON Lines'
complete -c pc-hybrid -n "__fish_pc_hybrid_needs_command" -f -a "feedback" -d 'Judge an execution: a rating from 1 to 5, and whether its answer was correct'
complete -c pc-hybrid -n "__fish_pc_hybrid_needs_command" -f -a "analytics" -d 'Analytics over the executions: insights of a period, from rollups kept as calls are recorded'
complete -c pc-hybrid -n "__fish_pc_hybrid_needs_command" -f -a "login" -d 'Log in to the SSO provider: device code, browser, client credentials or a token'
complete -c pc-hybrid -n "__fish_pc_hybrid_needs_command" -f -a "logout" -d 'Log out: revoke the session at the provider, then forget its tokens here'
complete -c pc-hybrid -n "__fish_pc_hybrid_needs_command" -f -a "whoami" -d 'Who the session says you are: user, organization, roles, token expiries, where the tokens are kept and which operations your roles allow'
complete -c pc-hybrid -n "__fish_pc_hybrid_needs_command" -f -a "auth" -d 'Tokens for scripts: print a valid access token, or check whether you are logged in'
complete -c pc-hybrid -n "__fish_pc_hybrid_needs_command" -f -a "config" -d 'Inspect the resolved configuration'
complete -c pc-hybrid -n "__fish_pc_hybrid_needs_command" -f -a "doctor" -d 'Check the environment: git identity, Docker Engine, keyring, Python and MCP SDK, store'
complete -c pc-hybrid -n "__fish_pc_hybrid_needs_command" -f -a "daemon" -d 'The background daemon: one store handle and one audit pipeline for every command'
complete -c pc-hybrid -n "__fish_pc_hybrid_needs_command" -f -a "completions" -d 'Print a shell completion script'
complete -c pc-hybrid -n "__fish_pc_hybrid_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand create-agent" -s o -l output -d 'Output format of data written to stdout' -r -f -a "table\t''
json\t''
yaml\t''"
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand create-agent" -l profile -d 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]' -r
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand create-agent" -l name -d 'Agent name, snake_case (e.g. tax_advisor)' -r
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand create-agent" -l domain -d 'Domain area (e.g. security, finance, web_development, data_analysis)' -r
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand create-agent" -l description -d 'What the agent does' -r
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand create-agent" -l display-name -d 'Human-readable name (default: the name in title case)' -r
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand create-agent" -l capability -d 'A capability; each becomes an MCP tool scoped to its knowledge (repeatable)' -r
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand create-agent" -l keyword -d 'A keyword (repeatable; default: the domain and the name)' -r
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand create-agent" -l knowledge-source -d 'A knowledge source TYPE:SOURCE[:FREQUENCY]; TYPE is markdown|json|api|database, FREQUENCY daily|weekly|monthly; a database source takes `URL#SQL QUERY` (repeatable)' -r
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand create-agent" -l from-spec -d 'Read the whole request (reference design 2.1 body) from a JSON or YAML file' -r -F
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand create-agent" -l template -d 'Template: a built-in name (`default`), a folder in the templates directory, or a path' -r
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand create-agent" -l output-dir -d 'Directory the project folder is created in' -r -F
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand create-agent" -l environment -d 'Target environment recorded in the agent\'s deployment config' -r -f -a "development\t''
staging\t''
production\t''"
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand create-agent" -l memory -d 'Memory limit, e.g. 512M' -r
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand create-agent" -l cpu -d 'CPU limit, e.g. 0.5' -r
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand create-agent" -l base-image -d 'Base image of the generated Dockerfile' -r
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand create-agent" -l git-base-url -d 'Git base URL; origin becomes <URL>/<name>.git' -r
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand create-agent" -s q -l quiet -d 'Print only data and errors; no progress or notes on stderr'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand create-agent" -s v -l verbose -d 'More detail on stderr (-v for info, -vv for debug)'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand create-agent" -l push -d 'Push to origin (default: AGENT_FACTORY_AUTO_PUSH, true)'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand create-agent" -l no-push -d 'Do not push, even when a remote is configured'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand create-agent" -l dry-run -d 'Show what would be created; write nothing'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand create-agent" -s i -l interactive -d 'Ask for the specification step by step (needs a terminal)'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand create-agent" -l auto-deploy -d 'Deploy to the development environment after creation'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand create-agent" -l force -d 'Replace an existing agent of the same name'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand create-agent" -l keep-on-failure -d 'Keep what earlier steps made when a step fails, for inspection'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand create-agent" -s y -l yes -d 'Answer yes to the confirmation of the interactive summary'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand create-agent" -s h -l help -d 'Print help'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand create-agent" -s V -l version -d 'Print version'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand status" -s o -l output -d 'Output format of data written to stdout' -r -f -a "table\t''
json\t''
yaml\t''"
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand status" -l profile -d 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]' -r
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand status" -s q -l quiet -d 'Print only data and errors; no progress or notes on stderr'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand status" -s v -l verbose -d 'More detail on stderr (-v for info, -vv for debug)'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand status" -s h -l help -d 'Print help'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand status" -s V -l version -d 'Print version'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand list-agents" -s o -l output -d 'Output format of data written to stdout' -r -f -a "table\t''
json\t''
yaml\t''"
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand list-agents" -l profile -d 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]' -r
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand list-agents" -s q -l quiet -d 'Print only data and errors; no progress or notes on stderr'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand list-agents" -s v -l verbose -d 'More detail on stderr (-v for info, -vv for debug)'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand list-agents" -s h -l help -d 'Print help'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand list-agents" -s V -l version -d 'Print version'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand deploy-agent" -s o -l output -d 'Output format of data written to stdout' -r -f -a "table\t''
json\t''
yaml\t''"
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand deploy-agent" -l profile -d 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]' -r
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand deploy-agent" -l environment -d 'The environment deployed to' -r -f -a "development\t''
staging\t''
production\t''"
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand deploy-agent" -l replicas -d 'How many replicas (1 to 20)' -r
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand deploy-agent" -l target -d 'Where it runs' -r -f -a "local\t''
docker\t''
kubernetes\t''"
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand deploy-agent" -l timeout -d 'Seconds a replica may take to become healthy' -r
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand deploy-agent" -l port -d 'Port of the first replica on 127.0.0.1, one up for each next one (default: free ports)' -r
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand deploy-agent" -l memory -d 'Memory limit instead of the agent\'s own, e.g. 512M or 1Gi' -r
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand deploy-agent" -l cpu -d 'CPU limit instead of the agent\'s own, e.g. 0.5 or 500m' -r
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand deploy-agent" -l manifests-dir -d 'Kubernetes: where the manifests are written (default: <data>/manifests/<agent>)' -r -F
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand deploy-agent" -l namespace -d 'Kubernetes: the namespace' -r
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand deploy-agent" -s q -l quiet -d 'Print only data and errors; no progress or notes on stderr'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand deploy-agent" -s v -l verbose -d 'More detail on stderr (-v for info, -vv for debug)'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand deploy-agent" -l wait -d 'Wait until every replica is healthy; roll back when one is not'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand deploy-agent" -l skip-scan -d 'Skip the pre-deploy scan (recorded with the deployment)'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand deploy-agent" -l apply -d 'Kubernetes: pipe the manifests to `kubectl apply` (needs a kubeconfig)'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand deploy-agent" -s h -l help -d 'Print help'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand deploy-agent" -s V -l version -d 'Print version'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand undeploy" -s o -l output -d 'Output format of data written to stdout' -r -f -a "table\t''
json\t''
yaml\t''"
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand undeploy" -l profile -d 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]' -r
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand undeploy" -l target -d 'Only this target (default: every target it is deployed to)' -r -f -a "local\t''
docker\t''
kubernetes\t''"
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand undeploy" -s q -l quiet -d 'Print only data and errors; no progress or notes on stderr'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand undeploy" -s v -l verbose -d 'More detail on stderr (-v for info, -vv for debug)'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand undeploy" -s h -l help -d 'Print help'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand undeploy" -s V -l version -d 'Print version'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand logs" -s o -l output -d 'Output format of data written to stdout' -r -f -a "table\t''
json\t''
yaml\t''"
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand logs" -l profile -d 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]' -r
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand logs" -l replica -d 'The replica, from 0' -r
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand logs" -l target -d 'Only this target (default: the first deployment)' -r -f -a "local\t''
docker\t''
kubernetes\t''"
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand logs" -l tail -d 'Lines from the end' -r
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand logs" -s q -l quiet -d 'Print only data and errors; no progress or notes on stderr'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand logs" -s v -l verbose -d 'More detail on stderr (-v for info, -vv for debug)'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand logs" -s f -l follow -d 'Keep printing what is appended'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand logs" -s h -l help -d 'Print help'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand logs" -s V -l version -d 'Print version'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand restart" -s o -l output -d 'Output format of data written to stdout' -r -f -a "table\t''
json\t''
yaml\t''"
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand restart" -l profile -d 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]' -r
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand restart" -l target -d 'Only this target' -r -f -a "local\t''
docker\t''
kubernetes\t''"
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand restart" -l timeout -d 'Seconds a replica may take to become healthy' -r
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand restart" -s q -l quiet -d 'Print only data and errors; no progress or notes on stderr'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand restart" -s v -l verbose -d 'More detail on stderr (-v for info, -vv for debug)'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand restart" -l all -d 'Restart every replica, healthy or not'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand restart" -s h -l help -d 'Print help'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand restart" -s V -l version -d 'Print version'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand mcp; and not __fish_seen_subcommand_from register validate list show remove export client-config rules approve help" -s o -l output -d 'Output format of data written to stdout' -r -f -a "table\t''
json\t''
yaml\t''"
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand mcp; and not __fish_seen_subcommand_from register validate list show remove export client-config rules approve help" -l profile -d 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]' -r
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand mcp; and not __fish_seen_subcommand_from register validate list show remove export client-config rules approve help" -s q -l quiet -d 'Print only data and errors; no progress or notes on stderr'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand mcp; and not __fish_seen_subcommand_from register validate list show remove export client-config rules approve help" -s v -l verbose -d 'More detail on stderr (-v for info, -vv for debug)'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand mcp; and not __fish_seen_subcommand_from register validate list show remove export client-config rules approve help" -s h -l help -d 'Print help'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand mcp; and not __fish_seen_subcommand_from register validate list show remove export client-config rules approve help" -s V -l version -d 'Print version'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand mcp; and not __fish_seen_subcommand_from register validate list show remove export client-config rules approve help" -f -a "register" -d 'Validate a server definition and store it in the registry'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand mcp; and not __fish_seen_subcommand_from register validate list show remove export client-config rules approve help" -f -a "validate" -d 'Run the same checks as `register` on one or more files; store nothing'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand mcp; and not __fish_seen_subcommand_from register validate list show remove export client-config rules approve help" -f -a "list" -d 'List the registered servers, agents and custom ones'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand mcp; and not __fish_seen_subcommand_from register validate list show remove export client-config rules approve help" -f -a "show" -d 'Show one registered server: manifest, conditions and findings'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand mcp; and not __fish_seen_subcommand_from register validate list show remove export client-config rules approve help" -f -a "remove" -d 'Remove a custom server (one version, or all of them)'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand mcp; and not __fish_seen_subcommand_from register validate list show remove export client-config rules approve help" -f -a "export" -d 'Print a registered server as a server.json (to publish it) or an MCPServer manifest'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand mcp; and not __fish_seen_subcommand_from register validate list show remove export client-config rules approve help" -f -a "client-config" -d 'Print the configuration that connects an MCP client to a registered server'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand mcp; and not __fish_seen_subcommand_from register validate list show remove export client-config rules approve help" -f -a "rules" -d 'List the security policy rules every server is checked against'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand mcp; and not __fish_seen_subcommand_from register validate list show remove export client-config rules approve help" -f -a "approve" -d 'Approve the tool definitions a server presents now that differ from those pinned (the gateway withholds such tools until then)'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand mcp; and not __fish_seen_subcommand_from register validate list show remove export client-config rules approve help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand mcp; and __fish_seen_subcommand_from register" -l launch -d 'Which declared way of running the server to check live (default: command, else image, else url)' -r -f -a "command\t''
image\t''
url\t''"
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand mcp; and __fish_seen_subcommand_from register" -l timeout -d 'Seconds the live check may take from start to handshake (default: the server\'s startup timeout)' -r
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand mcp; and __fish_seen_subcommand_from register" -l input -d 'A value the definition leaves to whoever runs the server (an argument\'s valueHint or flag name, an environment variable, a URL variable); repeatable. Secrets are taken only from the environment variable of the same name, never from the command line' -r
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand mcp; and __fish_seen_subcommand_from register" -s o -l output -d 'Output format of data written to stdout' -r -f -a "table\t''
json\t''
yaml\t''"
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand mcp; and __fish_seen_subcommand_from register" -l profile -d 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]' -r
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand mcp; and __fish_seen_subcommand_from register" -l live -d 'Also start the server in a sandbox and check it over MCP (initialize, tools/list)'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand mcp; and __fish_seen_subcommand_from register" -l replace -d 'Overwrite a custom server already registered with this name and version'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand mcp; and __fish_seen_subcommand_from register" -s q -l quiet -d 'Print only data and errors; no progress or notes on stderr'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand mcp; and __fish_seen_subcommand_from register" -s v -l verbose -d 'More detail on stderr (-v for info, -vv for debug)'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand mcp; and __fish_seen_subcommand_from register" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand mcp; and __fish_seen_subcommand_from register" -s V -l version -d 'Print version'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand mcp; and __fish_seen_subcommand_from validate" -l launch -d 'Which declared way of running the server to check live (default: command, else image, else url)' -r -f -a "command\t''
image\t''
url\t''"
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand mcp; and __fish_seen_subcommand_from validate" -l timeout -d 'Seconds the live check may take from start to handshake (default: the server\'s startup timeout)' -r
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand mcp; and __fish_seen_subcommand_from validate" -l input -d 'A value the definition leaves to whoever runs the server (an argument\'s valueHint or flag name, an environment variable, a URL variable); repeatable. Secrets are taken only from the environment variable of the same name, never from the command line' -r
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand mcp; and __fish_seen_subcommand_from validate" -s o -l output -d 'Output format of data written to stdout' -r -f -a "table\t''
json\t''
yaml\t''"
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand mcp; and __fish_seen_subcommand_from validate" -l profile -d 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]' -r
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand mcp; and __fish_seen_subcommand_from validate" -l live -d 'Also start the server in a sandbox and check it over MCP (initialize, tools/list)'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand mcp; and __fish_seen_subcommand_from validate" -s q -l quiet -d 'Print only data and errors; no progress or notes on stderr'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand mcp; and __fish_seen_subcommand_from validate" -s v -l verbose -d 'More detail on stderr (-v for info, -vv for debug)'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand mcp; and __fish_seen_subcommand_from validate" -s h -l help -d 'Print help'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand mcp; and __fish_seen_subcommand_from validate" -s V -l version -d 'Print version'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand mcp; and __fish_seen_subcommand_from list" -s o -l output -d 'Output format of data written to stdout' -r -f -a "table\t''
json\t''
yaml\t''"
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand mcp; and __fish_seen_subcommand_from list" -l profile -d 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]' -r
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand mcp; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Print only data and errors; no progress or notes on stderr'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand mcp; and __fish_seen_subcommand_from list" -s v -l verbose -d 'More detail on stderr (-v for info, -vv for debug)'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand mcp; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand mcp; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand mcp; and __fish_seen_subcommand_from show" -l version -d 'One version (default: show the highest; remove all)' -r
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand mcp; and __fish_seen_subcommand_from show" -s o -l output -d 'Output format of data written to stdout' -r -f -a "table\t''
json\t''
yaml\t''"
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand mcp; and __fish_seen_subcommand_from show" -l profile -d 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]' -r
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand mcp; and __fish_seen_subcommand_from show" -s q -l quiet -d 'Print only data and errors; no progress or notes on stderr'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand mcp; and __fish_seen_subcommand_from show" -s v -l verbose -d 'More detail on stderr (-v for info, -vv for debug)'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand mcp; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand mcp; and __fish_seen_subcommand_from remove" -l version -d 'One version (default: show the highest; remove all)' -r
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand mcp; and __fish_seen_subcommand_from remove" -s o -l output -d 'Output format of data written to stdout' -r -f -a "table\t''
json\t''
yaml\t''"
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand mcp; and __fish_seen_subcommand_from remove" -l profile -d 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]' -r
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand mcp; and __fish_seen_subcommand_from remove" -s q -l quiet -d 'Print only data and errors; no progress or notes on stderr'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand mcp; and __fish_seen_subcommand_from remove" -s v -l verbose -d 'More detail on stderr (-v for info, -vv for debug)'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand mcp; and __fish_seen_subcommand_from remove" -s h -l help -d 'Print help'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand mcp; and __fish_seen_subcommand_from export" -l version -d 'The version (default: the highest)' -r
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand mcp; and __fish_seen_subcommand_from export" -l format -d 'What to print' -r -f -a "server-json\t'The official MCP Registry\'s server.json, to publish the server'
manifest\t'An MCPServer manifest (`mcp.promptcraft.io/v1`)'"
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand mcp; and __fish_seen_subcommand_from export" -l namespace -d 'Reverse-DNS namespace of the server.json name, e.g. io.github.your-user' -r
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand mcp; and __fish_seen_subcommand_from export" -s o -l output -d 'Output format of data written to stdout' -r -f -a "table\t''
json\t''
yaml\t''"
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand mcp; and __fish_seen_subcommand_from export" -l profile -d 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]' -r
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand mcp; and __fish_seen_subcommand_from export" -s q -l quiet -d 'Print only data and errors; no progress or notes on stderr'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand mcp; and __fish_seen_subcommand_from export" -s v -l verbose -d 'More detail on stderr (-v for info, -vv for debug)'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand mcp; and __fish_seen_subcommand_from export" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand mcp; and __fish_seen_subcommand_from client-config" -l version -d 'The version (default: the highest)' -r
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand mcp; and __fish_seen_subcommand_from client-config" -l client -d 'The MCP client' -r -f -a "claude\t''
cursor\t''
vscode\t''"
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand mcp; and __fish_seen_subcommand_from client-config" -s o -l output -d 'Output format of data written to stdout' -r -f -a "table\t''
json\t''
yaml\t''"
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand mcp; and __fish_seen_subcommand_from client-config" -l profile -d 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]' -r
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand mcp; and __fish_seen_subcommand_from client-config" -s q -l quiet -d 'Print only data and errors; no progress or notes on stderr'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand mcp; and __fish_seen_subcommand_from client-config" -s v -l verbose -d 'More detail on stderr (-v for info, -vv for debug)'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand mcp; and __fish_seen_subcommand_from client-config" -s h -l help -d 'Print help'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand mcp; and __fish_seen_subcommand_from rules" -s o -l output -d 'Output format of data written to stdout' -r -f -a "table\t''
json\t''
yaml\t''"
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand mcp; and __fish_seen_subcommand_from rules" -l profile -d 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]' -r
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand mcp; and __fish_seen_subcommand_from rules" -s q -l quiet -d 'Print only data and errors; no progress or notes on stderr'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand mcp; and __fish_seen_subcommand_from rules" -s v -l verbose -d 'More detail on stderr (-v for info, -vv for debug)'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand mcp; and __fish_seen_subcommand_from rules" -s h -l help -d 'Print help'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand mcp; and __fish_seen_subcommand_from rules" -s V -l version -d 'Print version'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand mcp; and __fish_seen_subcommand_from approve" -l tool -d 'Only this tool (by the server\'s name for it)' -r
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand mcp; and __fish_seen_subcommand_from approve" -s o -l output -d 'Output format of data written to stdout' -r -f -a "table\t''
json\t''
yaml\t''"
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand mcp; and __fish_seen_subcommand_from approve" -l profile -d 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]' -r
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand mcp; and __fish_seen_subcommand_from approve" -s q -l quiet -d 'Print only data and errors; no progress or notes on stderr'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand mcp; and __fish_seen_subcommand_from approve" -s v -l verbose -d 'More detail on stderr (-v for info, -vv for debug)'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand mcp; and __fish_seen_subcommand_from approve" -s h -l help -d 'Print help'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand mcp; and __fish_seen_subcommand_from approve" -s V -l version -d 'Print version'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand mcp; and __fish_seen_subcommand_from help" -f -a "register" -d 'Validate a server definition and store it in the registry'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand mcp; and __fish_seen_subcommand_from help" -f -a "validate" -d 'Run the same checks as `register` on one or more files; store nothing'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand mcp; and __fish_seen_subcommand_from help" -f -a "list" -d 'List the registered servers, agents and custom ones'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand mcp; and __fish_seen_subcommand_from help" -f -a "show" -d 'Show one registered server: manifest, conditions and findings'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand mcp; and __fish_seen_subcommand_from help" -f -a "remove" -d 'Remove a custom server (one version, or all of them)'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand mcp; and __fish_seen_subcommand_from help" -f -a "export" -d 'Print a registered server as a server.json (to publish it) or an MCPServer manifest'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand mcp; and __fish_seen_subcommand_from help" -f -a "client-config" -d 'Print the configuration that connects an MCP client to a registered server'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand mcp; and __fish_seen_subcommand_from help" -f -a "rules" -d 'List the security policy rules every server is checked against'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand mcp; and __fish_seen_subcommand_from help" -f -a "approve" -d 'Approve the tool definitions a server presents now that differ from those pinned (the gateway withholds such tools until then)'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand mcp; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand audit; and not __fish_seen_subcommand_from ingest query tail export verify help" -s o -l output -d 'Output format of data written to stdout' -r -f -a "table\t''
json\t''
yaml\t''"
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand audit; and not __fish_seen_subcommand_from ingest query tail export verify help" -l profile -d 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]' -r
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand audit; and not __fish_seen_subcommand_from ingest query tail export verify help" -s q -l quiet -d 'Print only data and errors; no progress or notes on stderr'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand audit; and not __fish_seen_subcommand_from ingest query tail export verify help" -s v -l verbose -d 'More detail on stderr (-v for info, -vv for debug)'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand audit; and not __fish_seen_subcommand_from ingest query tail export verify help" -s h -l help -d 'Print help'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand audit; and not __fish_seen_subcommand_from ingest query tail export verify help" -s V -l version -d 'Print version'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand audit; and not __fish_seen_subcommand_from ingest query tail export verify help" -f -a "ingest" -d 'Store events (JSONL in the audit schema) from a file or stdin; bad lines are reported with their numbers and the others stored'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand audit; and not __fish_seen_subcommand_from ingest query tail export verify help" -f -a "query" -d 'Events matching every filter given, oldest first'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand audit; and not __fish_seen_subcommand_from ingest query tail export verify help" -f -a "tail" -d 'The newest events; with --follow, keep printing new ones'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand audit; and not __fish_seen_subcommand_from ingest query tail export verify help" -f -a "export" -d 'Every event (or those since a time) as JSONL or CSV'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand audit; and not __fish_seen_subcommand_from ingest query tail export verify help" -f -a "verify" -d 'Check every hash and checkpoint signature; exit 1 naming the first bad sequence'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand audit; and not __fish_seen_subcommand_from ingest query tail export verify help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand audit; and __fish_seen_subcommand_from ingest" -s o -l output -d 'Output format of data written to stdout' -r -f -a "table\t''
json\t''
yaml\t''"
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand audit; and __fish_seen_subcommand_from ingest" -l profile -d 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]' -r
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand audit; and __fish_seen_subcommand_from ingest" -l ack -d 'Print each event\'s id (and sequence) only once it is durable'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand audit; and __fish_seen_subcommand_from ingest" -s q -l quiet -d 'Print only data and errors; no progress or notes on stderr'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand audit; and __fish_seen_subcommand_from ingest" -s v -l verbose -d 'More detail on stderr (-v for info, -vv for debug)'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand audit; and __fish_seen_subcommand_from ingest" -s h -l help -d 'Print help'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand audit; and __fish_seen_subcommand_from ingest" -s V -l version -d 'Print version'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand audit; and __fish_seen_subcommand_from query" -l since -d 'From this time (RFC 3339, or a duration back from now such as 24h or 7d)' -r
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand audit; and __fish_seen_subcommand_from query" -l until -d 'Before this time (RFC 3339 or a duration back from now)' -r
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand audit; and __fish_seen_subcommand_from query" -l user -r
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand audit; and __fish_seen_subcommand_from query" -l type -d 'The event type' -r -f -a "authentication\t''
authorization\t''
data_access\t''
configuration_change\t''
execution\t''
error\t''"
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand audit; and __fish_seen_subcommand_from query" -l severity -d 'The severity' -r -f -a "info\t''
warning\t''
error\t''
critical\t''"
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand audit; and __fish_seen_subcommand_from query" -l outcome -d 'The outcome\'s status' -r -f -a "success\t''
failure\t''
partial\t''"
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand audit; and __fish_seen_subcommand_from query" -l resource -d 'The action\'s resource (document, agent, ...)' -r
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand audit; and __fish_seen_subcommand_from query" -l agent -d 'The agent the event names (context.agent_id)' -r
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand audit; and __fish_seen_subcommand_from query" -l match-hmac -d 'Events holding this sensitive value (compared by its HMAC, never stored in clear)' -r
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand audit; and __fish_seen_subcommand_from query" -l limit -d 'Show at most this many: the newest that match, oldest first' -r
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand audit; and __fish_seen_subcommand_from query" -s o -l output -d 'Output format of data written to stdout' -r -f -a "table\t''
json\t''
yaml\t''"
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand audit; and __fish_seen_subcommand_from query" -l profile -d 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]' -r
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand audit; and __fish_seen_subcommand_from query" -s q -l quiet -d 'Print only data and errors; no progress or notes on stderr'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand audit; and __fish_seen_subcommand_from query" -s v -l verbose -d 'More detail on stderr (-v for info, -vv for debug)'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand audit; and __fish_seen_subcommand_from query" -s h -l help -d 'Print help'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand audit; and __fish_seen_subcommand_from query" -s V -l version -d 'Print version'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand audit; and __fish_seen_subcommand_from tail" -s n -l lines -d 'How many of the newest events to show first' -r
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand audit; and __fish_seen_subcommand_from tail" -s o -l output -d 'Output format of data written to stdout' -r -f -a "table\t''
json\t''
yaml\t''"
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand audit; and __fish_seen_subcommand_from tail" -l profile -d 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]' -r
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand audit; and __fish_seen_subcommand_from tail" -s f -l follow -d 'Keep printing events as they are stored, one line each (JSON Lines with -o json, YAML documents with -o yaml), until interrupted'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand audit; and __fish_seen_subcommand_from tail" -s q -l quiet -d 'Print only data and errors; no progress or notes on stderr'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand audit; and __fish_seen_subcommand_from tail" -s v -l verbose -d 'More detail on stderr (-v for info, -vv for debug)'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand audit; and __fish_seen_subcommand_from tail" -s h -l help -d 'Print help'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand audit; and __fish_seen_subcommand_from tail" -s V -l version -d 'Print version'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand audit; and __fish_seen_subcommand_from export" -l format -r -f -a "jsonl\t''
csv\t''"
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand audit; and __fish_seen_subcommand_from export" -l since -d 'From this time (RFC 3339 or a duration back from now)' -r
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand audit; and __fish_seen_subcommand_from export" -s o -l output -d 'Output format of data written to stdout' -r -f -a "table\t''
json\t''
yaml\t''"
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand audit; and __fish_seen_subcommand_from export" -l profile -d 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]' -r
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand audit; and __fish_seen_subcommand_from export" -s q -l quiet -d 'Print only data and errors; no progress or notes on stderr'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand audit; and __fish_seen_subcommand_from export" -s v -l verbose -d 'More detail on stderr (-v for info, -vv for debug)'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand audit; and __fish_seen_subcommand_from export" -s h -l help -d 'Print help'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand audit; and __fish_seen_subcommand_from export" -s V -l version -d 'Print version'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand audit; and __fish_seen_subcommand_from verify" -s o -l output -d 'Output format of data written to stdout' -r -f -a "table\t''
json\t''
yaml\t''"
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand audit; and __fish_seen_subcommand_from verify" -l profile -d 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]' -r
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand audit; and __fish_seen_subcommand_from verify" -s q -l quiet -d 'Print only data and errors; no progress or notes on stderr'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand audit; and __fish_seen_subcommand_from verify" -s v -l verbose -d 'More detail on stderr (-v for info, -vv for debug)'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand audit; and __fish_seen_subcommand_from verify" -s h -l help -d 'Print help'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand audit; and __fish_seen_subcommand_from verify" -s V -l version -d 'Print version'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand audit; and __fish_seen_subcommand_from help" -f -a "ingest" -d 'Store events (JSONL in the audit schema) from a file or stdin; bad lines are reported with their numbers and the others stored'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand audit; and __fish_seen_subcommand_from help" -f -a "query" -d 'Events matching every filter given, oldest first'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand audit; and __fish_seen_subcommand_from help" -f -a "tail" -d 'The newest events; with --follow, keep printing new ones'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand audit; and __fish_seen_subcommand_from help" -f -a "export" -d 'Every event (or those since a time) as JSONL or CSV'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand audit; and __fish_seen_subcommand_from help" -f -a "verify" -d 'Check every hash and checkpoint signature; exit 1 naming the first bad sequence'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand audit; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand invoke" -s o -l output -d 'Output format of data written to stdout' -r -f -a "table\t''
json\t''
yaml\t''"
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand invoke" -l profile -d 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]' -r
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand invoke" -l arg -d 'An argument: `key=value` for a string, `key:=json` for any JSON value (a number, true, an object); repeatable' -r
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand invoke" -l json -d 'All arguments as one JSON object' -r
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand invoke" -s q -l quiet -d 'Print only data and errors; no progress or notes on stderr'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand invoke" -s v -l verbose -d 'More detail on stderr (-v for info, -vv for debug)'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand invoke" -s h -l help -d 'Print help'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand invoke" -s V -l version -d 'Print version'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand gateway; and not __fish_seen_subcommand_from status stdio help" -s o -l output -d 'Output format of data written to stdout' -r -f -a "table\t''
json\t''
yaml\t''"
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand gateway; and not __fish_seen_subcommand_from status stdio help" -l profile -d 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]' -r
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand gateway; and not __fish_seen_subcommand_from status stdio help" -s q -l quiet -d 'Print only data and errors; no progress or notes on stderr'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand gateway; and not __fish_seen_subcommand_from status stdio help" -s v -l verbose -d 'More detail on stderr (-v for info, -vv for debug)'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand gateway; and not __fish_seen_subcommand_from status stdio help" -s h -l help -d 'Print help'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand gateway; and not __fish_seen_subcommand_from status stdio help" -s V -l version -d 'Print version'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand gateway; and not __fish_seen_subcommand_from status stdio help" -f -a "status" -d 'The tools offered (by the name clients see), those withheld and why, and every upstream replica with its health'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand gateway; and not __fish_seen_subcommand_from status stdio help" -f -a "stdio" -d 'Serve the gateway over stdio, for a desktop MCP client (`mcp client-config gateway` prints its configuration)'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand gateway; and not __fish_seen_subcommand_from status stdio help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand gateway; and __fish_seen_subcommand_from status" -s o -l output -d 'Output format of data written to stdout' -r -f -a "table\t''
json\t''
yaml\t''"
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand gateway; and __fish_seen_subcommand_from status" -l profile -d 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]' -r
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand gateway; and __fish_seen_subcommand_from status" -s q -l quiet -d 'Print only data and errors; no progress or notes on stderr'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand gateway; and __fish_seen_subcommand_from status" -s v -l verbose -d 'More detail on stderr (-v for info, -vv for debug)'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand gateway; and __fish_seen_subcommand_from status" -s h -l help -d 'Print help'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand gateway; and __fish_seen_subcommand_from status" -s V -l version -d 'Print version'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand gateway; and __fish_seen_subcommand_from stdio" -s o -l output -d 'Output format of data written to stdout' -r -f -a "table\t''
json\t''
yaml\t''"
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand gateway; and __fish_seen_subcommand_from stdio" -l profile -d 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]' -r
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand gateway; and __fish_seen_subcommand_from stdio" -s q -l quiet -d 'Print only data and errors; no progress or notes on stderr'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand gateway; and __fish_seen_subcommand_from stdio" -s v -l verbose -d 'More detail on stderr (-v for info, -vv for debug)'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand gateway; and __fish_seen_subcommand_from stdio" -s h -l help -d 'Print help'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand gateway; and __fish_seen_subcommand_from stdio" -s V -l version -d 'Print version'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand gateway; and __fish_seen_subcommand_from help" -f -a "status" -d 'The tools offered (by the name clients see), those withheld and why, and every upstream replica with its health'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand gateway; and __fish_seen_subcommand_from help" -f -a "stdio" -d 'Serve the gateway over stdio, for a desktop MCP client (`mcp client-config gateway` prints its configuration)'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand gateway; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand executions; and not __fish_seen_subcommand_from import help" -s o -l output -d 'Output format of data written to stdout' -r -f -a "table\t''
json\t''
yaml\t''"
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand executions; and not __fish_seen_subcommand_from import help" -l profile -d 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]' -r
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand executions; and not __fish_seen_subcommand_from import help" -l agent -d 'Only this agent\'s (or registered server\'s)' -r
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand executions; and not __fish_seen_subcommand_from import help" -l user -d 'Only this user\'s' -r
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand executions; and not __fish_seen_subcommand_from import help" -l since -d 'From this time on: RFC 3339, or a duration back from now (30m, 24h, 7d)' -r
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand executions; and not __fish_seen_subcommand_from import help" -l until -d 'Before this time' -r
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand executions; and not __fish_seen_subcommand_from import help" -l status -d 'Only those that ended so' -r -f -a "success\t''
error\t''
timeout\t''
denied\t''"
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand executions; and not __fish_seen_subcommand_from import help" -l limit -d 'The newest N that match' -r
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand executions; and not __fish_seen_subcommand_from import help" -s q -l quiet -d 'Print only data and errors; no progress or notes on stderr'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand executions; and not __fish_seen_subcommand_from import help" -s v -l verbose -d 'More detail on stderr (-v for info, -vv for debug)'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand executions; and not __fish_seen_subcommand_from import help" -s h -l help -d 'Print help'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand executions; and not __fish_seen_subcommand_from import help" -s V -l version -d 'Print version'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand executions; and not __fish_seen_subcommand_from import help" -f -a "import" -d 'Import executions recorded elsewhere: one JSON object per line (`-` or no FILE for stdin). Each line is checked; those already stored (by id) are counted, not stored again'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand executions; and not __fish_seen_subcommand_from import help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand executions; and __fish_seen_subcommand_from import" -s o -l output -d 'Output format of data written to stdout' -r -f -a "table\t''
json\t''
yaml\t''"
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand executions; and __fish_seen_subcommand_from import" -l profile -d 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]' -r
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand executions; and __fish_seen_subcommand_from import" -s q -l quiet -d 'Print only data and errors; no progress or notes on stderr'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand executions; and __fish_seen_subcommand_from import" -s v -l verbose -d 'More detail on stderr (-v for info, -vv for debug)'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand executions; and __fish_seen_subcommand_from import" -s h -l help -d 'Print help'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand executions; and __fish_seen_subcommand_from import" -s V -l version -d 'Print version'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand executions; and __fish_seen_subcommand_from help" -f -a "import" -d 'Import executions recorded elsewhere: one JSON object per line (`-` or no FILE for stdin). Each line is checked; those already stored (by id) are counted, not stored again'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand executions; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand feedback" -s o -l output -d 'Output format of data written to stdout' -r -f -a "table\t''
json\t''
yaml\t''"
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand feedback" -l profile -d 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]' -r
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand feedback" -l rating -d 'From 1 (bad) to 5 (good)' -r
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand feedback" -l correct -d 'Whether the answer was correct' -r -f -a "true\t''
false\t''"
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand feedback" -s q -l quiet -d 'Print only data and errors; no progress or notes on stderr'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand feedback" -s v -l verbose -d 'More detail on stderr (-v for info, -vv for debug)'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand feedback" -s h -l help -d 'Print help'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand feedback" -s V -l version -d 'Print version'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand analytics; and not __fish_seen_subcommand_from insights report alerts help" -s o -l output -d 'Output format of data written to stdout' -r -f -a "table\t''
json\t''
yaml\t''"
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand analytics; and not __fish_seen_subcommand_from insights report alerts help" -l profile -d 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]' -r
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand analytics; and not __fish_seen_subcommand_from insights report alerts help" -s q -l quiet -d 'Print only data and errors; no progress or notes on stderr'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand analytics; and not __fish_seen_subcommand_from insights report alerts help" -s v -l verbose -d 'More detail on stderr (-v for info, -vv for debug)'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand analytics; and not __fish_seen_subcommand_from insights report alerts help" -s h -l help -d 'Print help'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand analytics; and not __fish_seen_subcommand_from insights report alerts help" -s V -l version -d 'Print version'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand analytics; and not __fish_seen_subcommand_from insights report alerts help" -f -a "insights" -d 'The summary, trends (volume, p50/p95/p99 latency, model and infrastructure cost), agent performance and recommendations of a period; `-o json` prints the insights API\'s body'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand analytics; and not __fish_seen_subcommand_from insights report alerts help" -f -a "report" -d 'One self-contained HTML page of a period (charts drawn as inline SVG, nothing fetched from anywhere): volume, latency percentiles, cost by kind, the agents, the recommendations and the alerts that fired'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand analytics; and not __fish_seen_subcommand_from insights report alerts help" -f -a "alerts" -d 'The alert rules (`analytics.alerts` in the config file)'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand analytics; and not __fish_seen_subcommand_from insights report alerts help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand analytics; and __fish_seen_subcommand_from insights" -l time-range -d 'How far back: whole UTC days, the last one today' -r -f -a "7d\t''
30d\t''
90d\t''
1y\t''"
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand analytics; and __fish_seen_subcommand_from insights" -l metrics -d 'Which parts, comma-separated (default: all)' -r -f -a "usage\t''
performance\t''
costs\t''
quality\t''"
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand analytics; and __fish_seen_subcommand_from insights" -l granularity -d 'The length of one point of the trends (hourly covers at most 31 days)' -r -f -a "hour\t''
day\t''
week\t''
month\t''"
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand analytics; and __fish_seen_subcommand_from insights" -l agent-filter -d 'Only these agents (or registered servers), comma-separated' -r
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand analytics; and __fish_seen_subcommand_from insights" -l user-filter -d 'Only these users\' calls, comma-separated' -r
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand analytics; and __fish_seen_subcommand_from insights" -s o -l output -d 'Output format of data written to stdout' -r -f -a "table\t''
json\t''
yaml\t''"
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand analytics; and __fish_seen_subcommand_from insights" -l profile -d 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]' -r
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand analytics; and __fish_seen_subcommand_from insights" -l exact -d 'Compute from the executions themselves instead of the rollups: percentiles exact rather than within 1 %; slower on large stores'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand analytics; and __fish_seen_subcommand_from insights" -s q -l quiet -d 'Print only data and errors; no progress or notes on stderr'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand analytics; and __fish_seen_subcommand_from insights" -s v -l verbose -d 'More detail on stderr (-v for info, -vv for debug)'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand analytics; and __fish_seen_subcommand_from insights" -s h -l help -d 'Print help'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand analytics; and __fish_seen_subcommand_from insights" -s V -l version -d 'Print version'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand analytics; and __fish_seen_subcommand_from report" -l time-range -d 'How far back: whole UTC days, the last one today' -r -f -a "7d\t''
30d\t''
90d\t''
1y\t''"
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand analytics; and __fish_seen_subcommand_from report" -l granularity -d 'The length of one point of the charts (hourly covers at most 31 days)' -r -f -a "hour\t''
day\t''
week\t''
month\t''"
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand analytics; and __fish_seen_subcommand_from report" -l agent-filter -d 'Only these agents (or registered servers), comma-separated' -r
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand analytics; and __fish_seen_subcommand_from report" -l html -d 'Where to write the page (replaced whole, never left half-written)' -r -F
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand analytics; and __fish_seen_subcommand_from report" -s o -l output -d 'Output format of data written to stdout' -r -f -a "table\t''
json\t''
yaml\t''"
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand analytics; and __fish_seen_subcommand_from report" -l profile -d 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]' -r
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand analytics; and __fish_seen_subcommand_from report" -s q -l quiet -d 'Print only data and errors; no progress or notes on stderr'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand analytics; and __fish_seen_subcommand_from report" -s v -l verbose -d 'More detail on stderr (-v for info, -vv for debug)'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand analytics; and __fish_seen_subcommand_from report" -s h -l help -d 'Print help'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand analytics; and __fish_seen_subcommand_from report" -s V -l version -d 'Print version'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand analytics; and __fish_seen_subcommand_from alerts" -s o -l output -d 'Output format of data written to stdout' -r -f -a "table\t''
json\t''
yaml\t''"
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand analytics; and __fish_seen_subcommand_from alerts" -l profile -d 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]' -r
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand analytics; and __fish_seen_subcommand_from alerts" -s q -l quiet -d 'Print only data and errors; no progress or notes on stderr'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand analytics; and __fish_seen_subcommand_from alerts" -s v -l verbose -d 'More detail on stderr (-v for info, -vv for debug)'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand analytics; and __fish_seen_subcommand_from alerts" -s h -l help -d 'Print help'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand analytics; and __fish_seen_subcommand_from alerts" -s V -l version -d 'Print version'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand analytics; and __fish_seen_subcommand_from alerts" -f -a "check" -d 'Evaluate every rule once: each firing alert is posted to ANALYTICS_ALERT_WEBHOOK_URL (unless it was sent within the throttle), kept and audited. Exit 1 when one fires: fit for cron. The daemon evaluates them continuously'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand analytics; and __fish_seen_subcommand_from alerts" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand analytics; and __fish_seen_subcommand_from help" -f -a "insights" -d 'The summary, trends (volume, p50/p95/p99 latency, model and infrastructure cost), agent performance and recommendations of a period; `-o json` prints the insights API\'s body'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand analytics; and __fish_seen_subcommand_from help" -f -a "report" -d 'One self-contained HTML page of a period (charts drawn as inline SVG, nothing fetched from anywhere): volume, latency percentiles, cost by kind, the agents, the recommendations and the alerts that fired'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand analytics; and __fish_seen_subcommand_from help" -f -a "alerts" -d 'The alert rules (`analytics.alerts` in the config file)'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand analytics; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand login" -s o -l output -d 'Output format of data written to stdout' -r -f -a "table\t''
json\t''
yaml\t''"
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand login" -l profile -d 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]' -r
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand login" -l port -d 'The loopback port of the browser flow, e.g. to forward it with `ssh -L`' -r
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand login" -s q -l quiet -d 'Print only data and errors; no progress or notes on stderr'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand login" -s v -l verbose -d 'More detail on stderr (-v for info, -vv for debug)'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand login" -l device -d 'Device authorization: open a URL on any device and confirm the code shown here'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand login" -l browser -d 'Authorization code with PKCE: a browser on this machine comes back to a loopback port'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand login" -l client-credentials -d 'The client\'s own credentials, for CI: KEYCLOAK_CLIENT_ID with the secret from KEYCLOAK_CLIENT_SECRET or stdin (never from a flag)'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand login" -l with-token -d 'Read an access token from stdin; it is verified before it is stored'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand login" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand login" -s V -l version -d 'Print version'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand logout" -s o -l output -d 'Output format of data written to stdout' -r -f -a "table\t''
json\t''
yaml\t''"
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand logout" -l profile -d 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]' -r
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand logout" -s q -l quiet -d 'Print only data and errors; no progress or notes on stderr'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand logout" -s v -l verbose -d 'More detail on stderr (-v for info, -vv for debug)'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand logout" -s h -l help -d 'Print help'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand logout" -s V -l version -d 'Print version'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand whoami" -s o -l output -d 'Output format of data written to stdout' -r -f -a "table\t''
json\t''
yaml\t''"
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand whoami" -l profile -d 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]' -r
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand whoami" -s q -l quiet -d 'Print only data and errors; no progress or notes on stderr'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand whoami" -s v -l verbose -d 'More detail on stderr (-v for info, -vv for debug)'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand whoami" -s h -l help -d 'Print help'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand whoami" -s V -l version -d 'Print version'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand auth; and not __fish_seen_subcommand_from token status help" -s o -l output -d 'Output format of data written to stdout' -r -f -a "table\t''
json\t''
yaml\t''"
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand auth; and not __fish_seen_subcommand_from token status help" -l profile -d 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]' -r
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand auth; and not __fish_seen_subcommand_from token status help" -s q -l quiet -d 'Print only data and errors; no progress or notes on stderr'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand auth; and not __fish_seen_subcommand_from token status help" -s v -l verbose -d 'More detail on stderr (-v for info, -vv for debug)'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand auth; and not __fish_seen_subcommand_from token status help" -s h -l help -d 'Print help'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand auth; and not __fish_seen_subcommand_from token status help" -s V -l version -d 'Print version'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand auth; and not __fish_seen_subcommand_from token status help" -f -a "token" -d 'Print a valid access token (refreshed first when it is about to expire)'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand auth; and not __fish_seen_subcommand_from token status help" -f -a "status" -d 'Exit 0 when logged in, 3 when not'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand auth; and not __fish_seen_subcommand_from token status help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand auth; and __fish_seen_subcommand_from token" -s o -l output -d 'Output format of data written to stdout' -r -f -a "table\t''
json\t''
yaml\t''"
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand auth; and __fish_seen_subcommand_from token" -l profile -d 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]' -r
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand auth; and __fish_seen_subcommand_from token" -s q -l quiet -d 'Print only data and errors; no progress or notes on stderr'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand auth; and __fish_seen_subcommand_from token" -s v -l verbose -d 'More detail on stderr (-v for info, -vv for debug)'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand auth; and __fish_seen_subcommand_from token" -s h -l help -d 'Print help'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand auth; and __fish_seen_subcommand_from token" -s V -l version -d 'Print version'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand auth; and __fish_seen_subcommand_from status" -s o -l output -d 'Output format of data written to stdout' -r -f -a "table\t''
json\t''
yaml\t''"
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand auth; and __fish_seen_subcommand_from status" -l profile -d 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]' -r
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand auth; and __fish_seen_subcommand_from status" -s q -l quiet -d 'Print only data and errors; no progress or notes on stderr'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand auth; and __fish_seen_subcommand_from status" -s v -l verbose -d 'More detail on stderr (-v for info, -vv for debug)'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand auth; and __fish_seen_subcommand_from status" -s h -l help -d 'Print help'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand auth; and __fish_seen_subcommand_from status" -s V -l version -d 'Print version'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand auth; and __fish_seen_subcommand_from help" -f -a "token" -d 'Print a valid access token (refreshed first when it is about to expire)'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand auth; and __fish_seen_subcommand_from help" -f -a "status" -d 'Exit 0 when logged in, 3 when not'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand auth; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand config; and not __fish_seen_subcommand_from show set-git-token clear-git-token help" -s o -l output -d 'Output format of data written to stdout' -r -f -a "table\t''
json\t''
yaml\t''"
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand config; and not __fish_seen_subcommand_from show set-git-token clear-git-token help" -l profile -d 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]' -r
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand config; and not __fish_seen_subcommand_from show set-git-token clear-git-token help" -s q -l quiet -d 'Print only data and errors; no progress or notes on stderr'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand config; and not __fish_seen_subcommand_from show set-git-token clear-git-token help" -s v -l verbose -d 'More detail on stderr (-v for info, -vv for debug)'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand config; and not __fish_seen_subcommand_from show set-git-token clear-git-token help" -s h -l help -d 'Print help'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand config; and not __fish_seen_subcommand_from show set-git-token clear-git-token help" -s V -l version -d 'Print version'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand config; and not __fish_seen_subcommand_from show set-git-token clear-git-token help" -f -a "show" -d 'Print every resolved setting with where it came from (secrets redacted)'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand config; and not __fish_seen_subcommand_from show set-git-token clear-git-token help" -f -a "set-git-token" -d 'Store a git token for HTTPS pushes in the OS keyring, read from stdin'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand config; and not __fish_seen_subcommand_from show set-git-token clear-git-token help" -f -a "clear-git-token" -d 'Remove the git token from the OS keyring'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand config; and not __fish_seen_subcommand_from show set-git-token clear-git-token help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand config; and __fish_seen_subcommand_from show" -s o -l output -d 'Output format of data written to stdout' -r -f -a "table\t''
json\t''
yaml\t''"
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand config; and __fish_seen_subcommand_from show" -l profile -d 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]' -r
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand config; and __fish_seen_subcommand_from show" -s q -l quiet -d 'Print only data and errors; no progress or notes on stderr'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand config; and __fish_seen_subcommand_from show" -s v -l verbose -d 'More detail on stderr (-v for info, -vv for debug)'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand config; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand config; and __fish_seen_subcommand_from show" -s V -l version -d 'Print version'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand config; and __fish_seen_subcommand_from set-git-token" -s o -l output -d 'Output format of data written to stdout' -r -f -a "table\t''
json\t''
yaml\t''"
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand config; and __fish_seen_subcommand_from set-git-token" -l profile -d 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]' -r
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand config; and __fish_seen_subcommand_from set-git-token" -s q -l quiet -d 'Print only data and errors; no progress or notes on stderr'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand config; and __fish_seen_subcommand_from set-git-token" -s v -l verbose -d 'More detail on stderr (-v for info, -vv for debug)'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand config; and __fish_seen_subcommand_from set-git-token" -s h -l help -d 'Print help'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand config; and __fish_seen_subcommand_from set-git-token" -s V -l version -d 'Print version'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand config; and __fish_seen_subcommand_from clear-git-token" -s o -l output -d 'Output format of data written to stdout' -r -f -a "table\t''
json\t''
yaml\t''"
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand config; and __fish_seen_subcommand_from clear-git-token" -l profile -d 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]' -r
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand config; and __fish_seen_subcommand_from clear-git-token" -s q -l quiet -d 'Print only data and errors; no progress or notes on stderr'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand config; and __fish_seen_subcommand_from clear-git-token" -s v -l verbose -d 'More detail on stderr (-v for info, -vv for debug)'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand config; and __fish_seen_subcommand_from clear-git-token" -s h -l help -d 'Print help'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand config; and __fish_seen_subcommand_from clear-git-token" -s V -l version -d 'Print version'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "show" -d 'Print every resolved setting with where it came from (secrets redacted)'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "set-git-token" -d 'Store a git token for HTTPS pushes in the OS keyring, read from stdin'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "clear-git-token" -d 'Remove the git token from the OS keyring'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand doctor" -s o -l output -d 'Output format of data written to stdout' -r -f -a "table\t''
json\t''
yaml\t''"
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand doctor" -l profile -d 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]' -r
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand doctor" -s q -l quiet -d 'Print only data and errors; no progress or notes on stderr'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand doctor" -s v -l verbose -d 'More detail on stderr (-v for info, -vv for debug)'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand doctor" -s h -l help -d 'Print help'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand doctor" -s V -l version -d 'Print version'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand daemon; and not __fish_seen_subcommand_from run start stop status restart help" -s o -l output -d 'Output format of data written to stdout' -r -f -a "table\t''
json\t''
yaml\t''"
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand daemon; and not __fish_seen_subcommand_from run start stop status restart help" -l profile -d 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]' -r
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand daemon; and not __fish_seen_subcommand_from run start stop status restart help" -s q -l quiet -d 'Print only data and errors; no progress or notes on stderr'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand daemon; and not __fish_seen_subcommand_from run start stop status restart help" -s v -l verbose -d 'More detail on stderr (-v for info, -vv for debug)'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand daemon; and not __fish_seen_subcommand_from run start stop status restart help" -s h -l help -d 'Print help'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand daemon; and not __fish_seen_subcommand_from run start stop status restart help" -s V -l version -d 'Print version'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand daemon; and not __fish_seen_subcommand_from run start stop status restart help" -f -a "run" -d 'Serve in the foreground, logging to stderr (for systemd and containers)'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand daemon; and not __fish_seen_subcommand_from run start stop status restart help" -f -a "start" -d 'Start in the background; returns once it answers'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand daemon; and not __fish_seen_subcommand_from run start stop status restart help" -f -a "stop" -d 'Stop gracefully: running operations finish and every acknowledged event is durable'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand daemon; and not __fish_seen_subcommand_from run start stop status restart help" -f -a "status" -d 'Pid, version, protocol, uptime, socket, stores, audit queue and requests served'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand daemon; and not __fish_seen_subcommand_from run start stop status restart help" -f -a "restart" -d 'Stop, then start (after an upgrade, or when the protocol does not match)'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand daemon; and not __fish_seen_subcommand_from run start stop status restart help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand daemon; and __fish_seen_subcommand_from run" -l listen -d 'Also serve the API over TCP on ADDR:PORT for other machines\' CLIs and scripts; every request needs `Authorization: Bearer <JWT>` of the SSO provider. TLS is required on any address but loopback' -r
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand daemon; and __fish_seen_subcommand_from run" -l tls-cert -d 'PEM certificate chain of the TCP listener' -r -F
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand daemon; and __fish_seen_subcommand_from run" -l tls-key -d 'PEM private key of the TCP listener' -r -F
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand daemon; and __fish_seen_subcommand_from run" -s o -l output -d 'Output format of data written to stdout' -r -f -a "table\t''
json\t''
yaml\t''"
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand daemon; and __fish_seen_subcommand_from run" -l profile -d 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]' -r
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand daemon; and __fish_seen_subcommand_from run" -s q -l quiet -d 'Print only data and errors; no progress or notes on stderr'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand daemon; and __fish_seen_subcommand_from run" -s v -l verbose -d 'More detail on stderr (-v for info, -vv for debug)'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand daemon; and __fish_seen_subcommand_from run" -s h -l help -d 'Print help'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand daemon; and __fish_seen_subcommand_from run" -s V -l version -d 'Print version'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand daemon; and __fish_seen_subcommand_from start" -s o -l output -d 'Output format of data written to stdout' -r -f -a "table\t''
json\t''
yaml\t''"
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand daemon; and __fish_seen_subcommand_from start" -l profile -d 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]' -r
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand daemon; and __fish_seen_subcommand_from start" -s q -l quiet -d 'Print only data and errors; no progress or notes on stderr'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand daemon; and __fish_seen_subcommand_from start" -s v -l verbose -d 'More detail on stderr (-v for info, -vv for debug)'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand daemon; and __fish_seen_subcommand_from start" -s h -l help -d 'Print help'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand daemon; and __fish_seen_subcommand_from start" -s V -l version -d 'Print version'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand daemon; and __fish_seen_subcommand_from stop" -s o -l output -d 'Output format of data written to stdout' -r -f -a "table\t''
json\t''
yaml\t''"
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand daemon; and __fish_seen_subcommand_from stop" -l profile -d 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]' -r
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand daemon; and __fish_seen_subcommand_from stop" -s q -l quiet -d 'Print only data and errors; no progress or notes on stderr'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand daemon; and __fish_seen_subcommand_from stop" -s v -l verbose -d 'More detail on stderr (-v for info, -vv for debug)'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand daemon; and __fish_seen_subcommand_from stop" -s h -l help -d 'Print help'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand daemon; and __fish_seen_subcommand_from stop" -s V -l version -d 'Print version'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand daemon; and __fish_seen_subcommand_from status" -s o -l output -d 'Output format of data written to stdout' -r -f -a "table\t''
json\t''
yaml\t''"
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand daemon; and __fish_seen_subcommand_from status" -l profile -d 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]' -r
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand daemon; and __fish_seen_subcommand_from status" -s q -l quiet -d 'Print only data and errors; no progress or notes on stderr'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand daemon; and __fish_seen_subcommand_from status" -s v -l verbose -d 'More detail on stderr (-v for info, -vv for debug)'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand daemon; and __fish_seen_subcommand_from status" -s h -l help -d 'Print help'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand daemon; and __fish_seen_subcommand_from status" -s V -l version -d 'Print version'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand daemon; and __fish_seen_subcommand_from restart" -s o -l output -d 'Output format of data written to stdout' -r -f -a "table\t''
json\t''
yaml\t''"
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand daemon; and __fish_seen_subcommand_from restart" -l profile -d 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]' -r
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand daemon; and __fish_seen_subcommand_from restart" -s q -l quiet -d 'Print only data and errors; no progress or notes on stderr'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand daemon; and __fish_seen_subcommand_from restart" -s v -l verbose -d 'More detail on stderr (-v for info, -vv for debug)'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand daemon; and __fish_seen_subcommand_from restart" -s h -l help -d 'Print help'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand daemon; and __fish_seen_subcommand_from restart" -s V -l version -d 'Print version'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand daemon; and __fish_seen_subcommand_from help" -f -a "run" -d 'Serve in the foreground, logging to stderr (for systemd and containers)'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand daemon; and __fish_seen_subcommand_from help" -f -a "start" -d 'Start in the background; returns once it answers'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand daemon; and __fish_seen_subcommand_from help" -f -a "stop" -d 'Stop gracefully: running operations finish and every acknowledged event is durable'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand daemon; and __fish_seen_subcommand_from help" -f -a "status" -d 'Pid, version, protocol, uptime, socket, stores, audit queue and requests served'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand daemon; and __fish_seen_subcommand_from help" -f -a "restart" -d 'Stop, then start (after an upgrade, or when the protocol does not match)'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand daemon; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand completions" -s o -l output -d 'Output format of data written to stdout' -r -f -a "table\t''
json\t''
yaml\t''"
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand completions" -l profile -d 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]' -r
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand completions" -s q -l quiet -d 'Print only data and errors; no progress or notes on stderr'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand completions" -s v -l verbose -d 'More detail on stderr (-v for info, -vv for debug)'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand completions" -s h -l help -d 'Print help'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand completions" -s V -l version -d 'Print version'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand help; and not __fish_seen_subcommand_from create-agent status list-agents deploy-agent undeploy logs restart mcp audit invoke gateway executions feedback analytics login logout whoami auth config doctor daemon completions help" -f -a "create-agent" -d 'Create an agent project from a template, commit it to git, push and register it'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand help; and not __fish_seen_subcommand_from create-agent status list-agents deploy-agent undeploy logs restart mcp audit invoke gateway executions feedback analytics login logout whoami auth config doctor daemon completions help" -f -a "status" -d 'Show the steps of an agent creation'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand help; and not __fish_seen_subcommand_from create-agent status list-agents deploy-agent undeploy logs restart mcp audit invoke gateway executions feedback analytics login logout whoami auth config doctor daemon completions help" -f -a "list-agents" -d 'List the agents with their deployments: target, environment, replicas wanted and healthy, endpoints, artifact and last health check'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand help; and not __fish_seen_subcommand_from create-agent status list-agents deploy-agent undeploy logs restart mcp audit invoke gateway executions feedback analytics login logout whoami auth config doctor daemon completions help" -f -a "deploy-agent" -d 'Deploy an agent: local processes (default), Docker containers or Kubernetes manifests'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand help; and not __fish_seen_subcommand_from create-agent status list-agents deploy-agent undeploy logs restart mcp audit invoke gateway executions feedback analytics login logout whoami auth config doctor daemon completions help" -f -a "undeploy" -d 'Stop and remove an agent\'s deployments'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand help; and not __fish_seen_subcommand_from create-agent status list-agents deploy-agent undeploy logs restart mcp audit invoke gateway executions feedback analytics login logout whoami auth config doctor daemon completions help" -f -a "logs" -d 'Show the log of one replica of a deployed agent'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand help; and not __fish_seen_subcommand_from create-agent status list-agents deploy-agent undeploy logs restart mcp audit invoke gateway executions feedback analytics login logout whoami auth config doctor daemon completions help" -f -a "restart" -d 'Start again the replicas of a deployment that are not healthy'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand help; and not __fish_seen_subcommand_from create-agent status list-agents deploy-agent undeploy logs restart mcp audit invoke gateway executions feedback analytics login logout whoami auth config doctor daemon completions help" -f -a "mcp" -d 'The MCP registry: register, validate, list, show, remove and export MCP servers'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand help; and not __fish_seen_subcommand_from create-agent status list-agents deploy-agent undeploy logs restart mcp audit invoke gateway executions feedback analytics login logout whoami auth config doctor daemon completions help" -f -a "audit" -d 'The audit trail: ingest, query, tail, export and verify events'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand help; and not __fish_seen_subcommand_from create-agent status list-agents deploy-agent undeploy logs restart mcp audit invoke gateway executions feedback analytics login logout whoami auth config doctor daemon completions help" -f -a "invoke" -d 'Call a tool of a deployed agent or registered server through the gateway: governed, audited and recorded as an execution like any MCP client\'s call'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand help; and not __fish_seen_subcommand_from create-agent status list-agents deploy-agent undeploy logs restart mcp audit invoke gateway executions feedback analytics login logout whoami auth config doctor daemon completions help" -f -a "gateway" -d 'The MCP gateway: one MCP endpoint in front of every deployed agent and registered server (the daemon serves it at /mcp)'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand help; and not __fish_seen_subcommand_from create-agent status list-agents deploy-agent undeploy logs restart mcp audit invoke gateway executions feedback analytics login logout whoami auth config doctor daemon completions help" -f -a "executions" -d 'Tool calls (executions) recorded here or imported: list them, or import JSON Lines'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand help; and not __fish_seen_subcommand_from create-agent status list-agents deploy-agent undeploy logs restart mcp audit invoke gateway executions feedback analytics login logout whoami auth config doctor daemon completions help" -f -a "feedback" -d 'Judge an execution: a rating from 1 to 5, and whether its answer was correct'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand help; and not __fish_seen_subcommand_from create-agent status list-agents deploy-agent undeploy logs restart mcp audit invoke gateway executions feedback analytics login logout whoami auth config doctor daemon completions help" -f -a "analytics" -d 'Analytics over the executions: insights of a period, from rollups kept as calls are recorded'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand help; and not __fish_seen_subcommand_from create-agent status list-agents deploy-agent undeploy logs restart mcp audit invoke gateway executions feedback analytics login logout whoami auth config doctor daemon completions help" -f -a "login" -d 'Log in to the SSO provider: device code, browser, client credentials or a token'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand help; and not __fish_seen_subcommand_from create-agent status list-agents deploy-agent undeploy logs restart mcp audit invoke gateway executions feedback analytics login logout whoami auth config doctor daemon completions help" -f -a "logout" -d 'Log out: revoke the session at the provider, then forget its tokens here'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand help; and not __fish_seen_subcommand_from create-agent status list-agents deploy-agent undeploy logs restart mcp audit invoke gateway executions feedback analytics login logout whoami auth config doctor daemon completions help" -f -a "whoami" -d 'Who the session says you are: user, organization, roles, token expiries, where the tokens are kept and which operations your roles allow'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand help; and not __fish_seen_subcommand_from create-agent status list-agents deploy-agent undeploy logs restart mcp audit invoke gateway executions feedback analytics login logout whoami auth config doctor daemon completions help" -f -a "auth" -d 'Tokens for scripts: print a valid access token, or check whether you are logged in'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand help; and not __fish_seen_subcommand_from create-agent status list-agents deploy-agent undeploy logs restart mcp audit invoke gateway executions feedback analytics login logout whoami auth config doctor daemon completions help" -f -a "config" -d 'Inspect the resolved configuration'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand help; and not __fish_seen_subcommand_from create-agent status list-agents deploy-agent undeploy logs restart mcp audit invoke gateway executions feedback analytics login logout whoami auth config doctor daemon completions help" -f -a "doctor" -d 'Check the environment: git identity, Docker Engine, keyring, Python and MCP SDK, store'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand help; and not __fish_seen_subcommand_from create-agent status list-agents deploy-agent undeploy logs restart mcp audit invoke gateway executions feedback analytics login logout whoami auth config doctor daemon completions help" -f -a "daemon" -d 'The background daemon: one store handle and one audit pipeline for every command'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand help; and not __fish_seen_subcommand_from create-agent status list-agents deploy-agent undeploy logs restart mcp audit invoke gateway executions feedback analytics login logout whoami auth config doctor daemon completions help" -f -a "completions" -d 'Print a shell completion script'
complete -c pc-hybrid -n "__fish_pc_hybrid_using_subcommand help; and not __fish_seen_subcommand_from create-agent status list-agents deploy-agent undeploy logs restart mcp audit invoke gateway executions feedback analytics login logout whoami auth config doctor daemon completions help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
