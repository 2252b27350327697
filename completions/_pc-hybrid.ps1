
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'pc-hybrid' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'pc-hybrid'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'pc-hybrid' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format of data written to stdout')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of data written to stdout')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors; no progress or notes on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors; no progress or notes on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (-v for info, -vv for debug)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (-v for info, -vv for debug)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('create-agent', 'create-agent', [CompletionResultType]::ParameterValue, 'Create an agent project from a template, commit it to git, push and register it')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show the steps of an agent creation')
            [CompletionResult]::new('list-agents', 'list-agents', [CompletionResultType]::ParameterValue, 'List the agents with their deployments: target, environment, replicas wanted and healthy, endpoints, artifact and last health check')
            [CompletionResult]::new('deploy-agent', 'deploy-agent', [CompletionResultType]::ParameterValue, 'Deploy an agent: local processes (default), Docker containers or Kubernetes manifests')
            [CompletionResult]::new('undeploy', 'undeploy', [CompletionResultType]::ParameterValue, 'Stop and remove an agent''s deployments')
            [CompletionResult]::new('logs', 'logs', [CompletionResultType]::ParameterValue, 'Show the log of one replica of a deployed agent')
            [CompletionResult]::new('restart', 'restart', [CompletionResultType]::ParameterValue, 'Start again the replicas of a deployment that are not healthy')
            [CompletionResult]::new('mcp', 'mcp', [CompletionResultType]::ParameterValue, 'The MCP registry: register, validate, list, show, remove and export MCP servers')
            [CompletionResult]::new('audit', 'audit', [CompletionResultType]::ParameterValue, 'The audit trail: ingest, query, tail, export and verify events')
            [CompletionResult]::new('invoke', 'invoke', [CompletionResultType]::ParameterValue, 'Call a tool of a deployed agent or registered server through the gateway: governed, audited and recorded as an execution like any MCP client''s call')
            [CompletionResult]::new('gateway', 'gateway', [CompletionResultType]::ParameterValue, 'The MCP gateway: one MCP endpoint in front of every deployed agent and registered server (the daemon serves it at /mcp)')
            [CompletionResult]::new('executions', 'executions', [CompletionResultType]::ParameterValue, 'Tool calls (executions) recorded here or imported: list them, or import JSON Lines')
            [CompletionResult]::new('feedback', 'feedback', [CompletionResultType]::ParameterValue, 'Judge an execution: a rating from 1 to 5, and whether its answer was correct')
            [CompletionResult]::new('analytics', 'analytics', [CompletionResultType]::ParameterValue, 'Analytics over the executions: insights of a period, from rollups kept as calls are recorded')
            [CompletionResult]::new('login', 'login', [CompletionResultType]::ParameterValue, 'Log in to the SSO provider: device code, browser, client credentials or a token')
            [CompletionResult]::new('logout', 'logout', [CompletionResultType]::ParameterValue, 'Log out: revoke the session at the provider, then forget its tokens here')
            [CompletionResult]::new('whoami', 'whoami', [CompletionResultType]::ParameterValue, 'Who the session says you are: user, organization, roles, token expiries, where the tokens are kept and which operations your roles allow')
            [CompletionResult]::new('auth', 'auth', [CompletionResultType]::ParameterValue, 'Tokens for scripts: print a valid access token, or check whether you are logged in')
            [CompletionResult]::new('config', 'config', [CompletionResultType]::ParameterValue, 'Inspect the resolved configuration')
            [CompletionResult]::new('doctor', 'doctor', [CompletionResultType]::ParameterValue, 'Check the environment: git identity, Docker Engine, keyring, Python and MCP SDK, store')
            [CompletionResult]::new('daemon', 'daemon', [CompletionResultType]::ParameterValue, 'The background daemon: one store handle and one audit pipeline for every command')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'pc-hybrid;create-agent' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format of data written to stdout')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of data written to stdout')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]')
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'Agent name, snake_case (e.g. tax_advisor)')
            [CompletionResult]::new('--domain', '--domain', [CompletionResultType]::ParameterName, 'Domain area (e.g. security, finance, web_development, data_analysis)')
            [CompletionResult]::new('--description', '--description', [CompletionResultType]::ParameterName, 'What the agent does')
            [CompletionResult]::new('--display-name', '--display-name', [CompletionResultType]::ParameterName, 'Human-readable name (default: the name in title case)')
            [CompletionResult]::new('--capability', '--capability', [CompletionResultType]::ParameterName, 'A capability; each becomes an MCP tool scoped to its knowledge (repeatable)')
            [CompletionResult]::new('--keyword', '--keyword', [CompletionResultType]::ParameterName, 'A keyword (repeatable; default: the domain and the name)')
            [CompletionResult]::new('--knowledge-source', '--knowledge-source', [CompletionResultType]::ParameterName, 'A knowledge source TYPE:SOURCE[:FREQUENCY]; TYPE is markdown|json|api|database, FREQUENCY daily|weekly|monthly; a database source takes `URL#SQL QUERY` (repeatable)')
            [CompletionResult]::new('--from-spec', '--from-spec', [CompletionResultType]::ParameterName, 'Read the whole request (reference design 2.1 body) from a JSON or YAML file')
            [CompletionResult]::new('--template', '--template', [CompletionResultType]::ParameterName, 'Template: a built-in name (`default`), a folder in the templates directory, or a path')
            [CompletionResult]::new('--output-dir', '--output-dir', [CompletionResultType]::ParameterName, 'Directory the project folder is created in')
            [CompletionResult]::new('--environment', '--environment', [CompletionResultType]::ParameterName, 'Target environment recorded in the agent''s deployment config')
            [CompletionResult]::new('--memory', '--memory', [CompletionResultType]::ParameterName, 'Memory limit, e.g. 512M')
            [CompletionResult]::new('--cpu', '--cpu', [CompletionResultType]::ParameterName, 'CPU limit, e.g. 0.5')
            [CompletionResult]::new('--base-image', '--base-image', [CompletionResultType]::ParameterName, 'Base image of the generated Dockerfile')
            [CompletionResult]::new('--git-base-url', '--git-base-url', [CompletionResultType]::ParameterName, 'Git base URL; origin becomes <URL>/<name>.git')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors; no progress or notes on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors; no progress or notes on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (-v for info, -vv for debug)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (-v for info, -vv for debug)')
            [CompletionResult]::new('--push', '--push', [CompletionResultType]::ParameterName, 'Push to origin (default: AGENT_FACTORY_AUTO_PUSH, true)')
            [CompletionResult]::new('--no-push', '--no-push', [CompletionResultType]::ParameterName, 'Do not push, even when a remote is configured')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show what would be created; write nothing')
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Ask for the specification step by step (needs a terminal)')
            [CompletionResult]::new('--interactive', '--interactive', [CompletionResultType]::ParameterName, 'Ask for the specification step by step (needs a terminal)')
            [CompletionResult]::new('--auto-deploy', '--auto-deploy', [CompletionResultType]::ParameterName, 'Deploy to the development environment after creation')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Replace an existing agent of the same name')
            [CompletionResult]::new('--keep-on-failure', '--keep-on-failure', [CompletionResultType]::ParameterName, 'Keep what earlier steps made when a step fails, for inspection')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to the confirmation of the interactive summary')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to the confirmation of the interactive summary')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'pc-hybrid;status' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format of data written to stdout')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of data written to stdout')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors; no progress or notes on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors; no progress or notes on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (-v for info, -vv for debug)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (-v for info, -vv for debug)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'pc-hybrid;list-agents' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format of data written to stdout')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of data written to stdout')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors; no progress or notes on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors; no progress or notes on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (-v for info, -vv for debug)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (-v for info, -vv for debug)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'pc-hybrid;deploy-agent' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format of data written to stdout')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of data written to stdout')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]')
            [CompletionResult]::new('--environment', '--environment', [CompletionResultType]::ParameterName, 'The environment deployed to')
            [CompletionResult]::new('--replicas', '--replicas', [CompletionResultType]::ParameterName, 'How many replicas (1 to 20)')
            [CompletionResult]::new('--target', '--target', [CompletionResultType]::ParameterName, 'Where it runs')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Seconds a replica may take to become healthy')
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'Port of the first replica on 127.0.0.1, one up for each next one (default: free ports)')
            [CompletionResult]::new('--memory', '--memory', [CompletionResultType]::ParameterName, 'Memory limit instead of the agent''s own, e.g. 512M or 1Gi')
            [CompletionResult]::new('--cpu', '--cpu', [CompletionResultType]::ParameterName, 'CPU limit instead of the agent''s own, e.g. 0.5 or 500m')
            [CompletionResult]::new('--manifests-dir', '--manifests-dir', [CompletionResultType]::ParameterName, 'Kubernetes: where the manifests are written (default: <data>/manifests/<agent>)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Kubernetes: the namespace')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors; no progress or notes on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors; no progress or notes on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (-v for info, -vv for debug)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (-v for info, -vv for debug)')
            [CompletionResult]::new('--wait', '--wait', [CompletionResultType]::ParameterName, 'Wait until every replica is healthy; roll back when one is not')
            [CompletionResult]::new('--skip-scan', '--skip-scan', [CompletionResultType]::ParameterName, 'Skip the pre-deploy scan (recorded with the deployment)')
            [CompletionResult]::new('--apply', '--apply', [CompletionResultType]::ParameterName, 'Kubernetes: pipe the manifests to `kubectl apply` (needs a kubeconfig)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'pc-hybrid;undeploy' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format of data written to stdout')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of data written to stdout')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]')
            [CompletionResult]::new('--target', '--target', [CompletionResultType]::ParameterName, 'Only this target (default: every target it is deployed to)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors; no progress or notes on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors; no progress or notes on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (-v for info, -vv for debug)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (-v for info, -vv for debug)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'pc-hybrid;logs' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format of data written to stdout')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of data written to stdout')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]')
            [CompletionResult]::new('--replica', '--replica', [CompletionResultType]::ParameterName, 'The replica, from 0')
            [CompletionResult]::new('--target', '--target', [CompletionResultType]::ParameterName, 'Only this target (default: the first deployment)')
            [CompletionResult]::new('--tail', '--tail', [CompletionResultType]::ParameterName, 'Lines from the end')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors; no progress or notes on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors; no progress or notes on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (-v for info, -vv for debug)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (-v for info, -vv for debug)')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Keep printing what is appended')
            [CompletionResult]::new('--follow', '--follow', [CompletionResultType]::ParameterName, 'Keep printing what is appended')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'pc-hybrid;restart' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format of data written to stdout')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of data written to stdout')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]')
            [CompletionResult]::new('--target', '--target', [CompletionResultType]::ParameterName, 'Only this target')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Seconds a replica may take to become healthy')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors; no progress or notes on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors; no progress or notes on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (-v for info, -vv for debug)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (-v for info, -vv for debug)')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Restart every replica, healthy or not')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'pc-hybrid;mcp' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format of data written to stdout')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of data written to stdout')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors; no progress or notes on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors; no progress or notes on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (-v for info, -vv for debug)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (-v for info, -vv for debug)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('register', 'register', [CompletionResultType]::ParameterValue, 'Validate a server definition and store it in the registry')
            [CompletionResult]::new('validate', 'validate', [CompletionResultType]::ParameterValue, 'Run the same checks as `register` on one or more files; store nothing')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the registered servers, agents and custom ones')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show one registered server: manifest, conditions and findings')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Remove a custom server (one version, or all of them)')
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Print a registered server as a server.json (to publish it) or an MCPServer manifest')
            [CompletionResult]::new('client-config', 'client-config', [CompletionResultType]::ParameterValue, 'Print the configuration that connects an MCP client to a registered server')
            [CompletionResult]::new('rules', 'rules', [CompletionResultType]::ParameterValue, 'List the security policy rules every server is checked against')
            [CompletionResult]::new('approve', 'approve', [CompletionResultType]::ParameterValue, 'Approve the tool definitions a server presents now that differ from those pinned (the gateway withholds such tools until then)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'pc-hybrid;mcp;register' {
            [CompletionResult]::new('--launch', '--launch', [CompletionResultType]::ParameterName, 'Which declared way of running the server to check live (default: command, else image, else url)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Seconds the live check may take from start to handshake (default: the server''s startup timeout)')
            [CompletionResult]::new('--input', '--input', [CompletionResultType]::ParameterName, 'A value the definition leaves to whoever runs the server (an argument''s valueHint or flag name, an environment variable, a URL variable); repeatable. Secrets are taken only from the environment variable of the same name, never from the command line')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format of data written to stdout')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of data written to stdout')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]')
            [CompletionResult]::new('--live', '--live', [CompletionResultType]::ParameterName, 'Also start the server in a sandbox and check it over MCP (initialize, tools/list)')
            [CompletionResult]::new('--replace', '--replace', [CompletionResultType]::ParameterName, 'Overwrite a custom server already registered with this name and version')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors; no progress or notes on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors; no progress or notes on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (-v for info, -vv for debug)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (-v for info, -vv for debug)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'pc-hybrid;mcp;validate' {
            [CompletionResult]::new('--launch', '--launch', [CompletionResultType]::ParameterName, 'Which declared way of running the server to check live (default: command, else image, else url)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Seconds the live check may take from start to handshake (default: the server''s startup timeout)')
            [CompletionResult]::new('--input', '--input', [CompletionResultType]::ParameterName, 'A value the definition leaves to whoever runs the server (an argument''s valueHint or flag name, an environment variable, a URL variable); repeatable. Secrets are taken only from the environment variable of the same name, never from the command line')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format of data written to stdout')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of data written to stdout')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]')
            [CompletionResult]::new('--live', '--live', [CompletionResultType]::ParameterName, 'Also start the server in a sandbox and check it over MCP (initialize, tools/list)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors; no progress or notes on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors; no progress or notes on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (-v for info, -vv for debug)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (-v for info, -vv for debug)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'pc-hybrid;mcp;list' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format of data written to stdout')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of data written to stdout')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors; no progress or notes on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors; no progress or notes on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (-v for info, -vv for debug)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (-v for info, -vv for debug)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'pc-hybrid;mcp;show' {
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'One version (default: show the highest; remove all)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format of data written to stdout')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of data written to stdout')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors; no progress or notes on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors; no progress or notes on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (-v for info, -vv for debug)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (-v for info, -vv for debug)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'pc-hybrid;mcp;remove' {
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'One version (default: show the highest; remove all)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format of data written to stdout')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of data written to stdout')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors; no progress or notes on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors; no progress or notes on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (-v for info, -vv for debug)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (-v for info, -vv for debug)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'pc-hybrid;mcp;export' {
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'The version (default: the highest)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'What to print')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Reverse-DNS namespace of the server.json name, e.g. io.github.your-user')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format of data written to stdout')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of data written to stdout')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors; no progress or notes on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors; no progress or notes on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (-v for info, -vv for debug)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (-v for info, -vv for debug)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'pc-hybrid;mcp;client-config' {
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'The version (default: the highest)')
            [CompletionResult]::new('--client', '--client', [CompletionResultType]::ParameterName, 'The MCP client')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format of data written to stdout')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of data written to stdout')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors; no progress or notes on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors; no progress or notes on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (-v for info, -vv for debug)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (-v for info, -vv for debug)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'pc-hybrid;mcp;rules' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format of data written to stdout')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of data written to stdout')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors; no progress or notes on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors; no progress or notes on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (-v for info, -vv for debug)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (-v for info, -vv for debug)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'pc-hybrid;mcp;approve' {
            [CompletionResult]::new('--tool', '--tool', [CompletionResultType]::ParameterName, 'Only this tool (by the server''s name for it)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format of data written to stdout')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of data written to stdout')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors; no progress or notes on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors; no progress or notes on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (-v for info, -vv for debug)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (-v for info, -vv for debug)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'pc-hybrid;mcp;help' {
            [CompletionResult]::new('register', 'register', [CompletionResultType]::ParameterValue, 'Validate a server definition and store it in the registry')
            [CompletionResult]::new('validate', 'validate', [CompletionResultType]::ParameterValue, 'Run the same checks as `register` on one or more files; store nothing')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the registered servers, agents and custom ones')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show one registered server: manifest, conditions and findings')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Remove a custom server (one version, or all of them)')
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Print a registered server as a server.json (to publish it) or an MCPServer manifest')
            [CompletionResult]::new('client-config', 'client-config', [CompletionResultType]::ParameterValue, 'Print the configuration that connects an MCP client to a registered server')
            [CompletionResult]::new('rules', 'rules', [CompletionResultType]::ParameterValue, 'List the security policy rules every server is checked against')
            [CompletionResult]::new('approve', 'approve', [CompletionResultType]::ParameterValue, 'Approve the tool definitions a server presents now that differ from those pinned (the gateway withholds such tools until then)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'pc-hybrid;mcp;help;register' {
            break
        }
        'pc-hybrid;mcp;help;validate' {
            break
        }
        'pc-hybrid;mcp;help;list' {
            break
        }
        'pc-hybrid;mcp;help;show' {
            break
        }
        'pc-hybrid;mcp;help;remove' {
            break
        }
        'pc-hybrid;mcp;help;export' {
            break
        }
        'pc-hybrid;mcp;help;client-config' {
            break
        }
        'pc-hybrid;mcp;help;rules' {
            break
        }
        'pc-hybrid;mcp;help;approve' {
            break
        }
        'pc-hybrid;mcp;help;help' {
            break
        }
        'pc-hybrid;audit' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format of data written to stdout')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of data written to stdout')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors; no progress or notes on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors; no progress or notes on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (-v for info, -vv for debug)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (-v for info, -vv for debug)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('ingest', 'ingest', [CompletionResultType]::ParameterValue, 'Store events (JSONL in the audit schema) from a file or stdin; bad lines are reported with their numbers and the others stored')
            [CompletionResult]::new('query', 'query', [CompletionResultType]::ParameterValue, 'Events matching every filter given, oldest first')
            [CompletionResult]::new('tail', 'tail', [CompletionResultType]::ParameterValue, 'The newest events; with --follow, keep printing new ones')
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Every event (or those since a time) as JSONL or CSV')
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Check every hash and checkpoint signature; exit 1 naming the first bad sequence')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'pc-hybrid;audit;ingest' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format of data written to stdout')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of data written to stdout')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]')
            [CompletionResult]::new('--ack', '--ack', [CompletionResultType]::ParameterName, 'Print each event''s id (and sequence) only once it is durable')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors; no progress or notes on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors; no progress or notes on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (-v for info, -vv for debug)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (-v for info, -vv for debug)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'pc-hybrid;audit;query' {
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'From this time (RFC 3339, or a duration back from now such as 24h or 7d)')
            [CompletionResult]::new('--until', '--until', [CompletionResultType]::ParameterName, 'Before this time (RFC 3339 or a duration back from now)')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'user')
            [CompletionResult]::new('--type', '--type', [CompletionResultType]::ParameterName, 'The event type')
            [CompletionResult]::new('--severity', '--severity', [CompletionResultType]::ParameterName, 'The severity')
            [CompletionResult]::new('--outcome', '--outcome', [CompletionResultType]::ParameterName, 'The outcome''s status')
            [CompletionResult]::new('--resource', '--resource', [CompletionResultType]::ParameterName, 'The action''s resource (document, agent, ...)')
            [CompletionResult]::new('--agent', '--agent', [CompletionResultType]::ParameterName, 'The agent the event names (context.agent_id)')
            [CompletionResult]::new('--match-hmac', '--match-hmac', [CompletionResultType]::ParameterName, 'Events holding this sensitive value (compared by its HMAC, never stored in clear)')
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'Show at most this many: the newest that match, oldest first')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format of data written to stdout')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of data written to stdout')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors; no progress or notes on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors; no progress or notes on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (-v for info, -vv for debug)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (-v for info, -vv for debug)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'pc-hybrid;audit;tail' {
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'How many of the newest events to show first')
            [CompletionResult]::new('--lines', '--lines', [CompletionResultType]::ParameterName, 'How many of the newest events to show first')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format of data written to stdout')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of data written to stdout')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Keep printing events as they are stored, one line each (JSON Lines with -o json, YAML documents with -o yaml), until interrupted')
            [CompletionResult]::new('--follow', '--follow', [CompletionResultType]::ParameterName, 'Keep printing events as they are stored, one line each (JSON Lines with -o json, YAML documents with -o yaml), until interrupted')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors; no progress or notes on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors; no progress or notes on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (-v for info, -vv for debug)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (-v for info, -vv for debug)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'pc-hybrid;audit;export' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'format')
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'From this time (RFC 3339 or a duration back from now)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format of data written to stdout')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of data written to stdout')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors; no progress or notes on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors; no progress or notes on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (-v for info, -vv for debug)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (-v for info, -vv for debug)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'pc-hybrid;audit;verify' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format of data written to stdout')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of data written to stdout')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors; no progress or notes on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors; no progress or notes on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (-v for info, -vv for debug)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (-v for info, -vv for debug)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'pc-hybrid;audit;help' {
            [CompletionResult]::new('ingest', 'ingest', [CompletionResultType]::ParameterValue, 'Store events (JSONL in the audit schema) from a file or stdin; bad lines are reported with their numbers and the others stored')
            [CompletionResult]::new('query', 'query', [CompletionResultType]::ParameterValue, 'Events matching every filter given, oldest first')
            [CompletionResult]::new('tail', 'tail', [CompletionResultType]::ParameterValue, 'The newest events; with --follow, keep printing new ones')
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Every event (or those since a time) as JSONL or CSV')
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Check every hash and checkpoint signature; exit 1 naming the first bad sequence')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'pc-hybrid;audit;help;ingest' {
            break
        }
        'pc-hybrid;audit;help;query' {
            break
        }
        'pc-hybrid;audit;help;tail' {
            break
        }
        'pc-hybrid;audit;help;export' {
            break
        }
        'pc-hybrid;audit;help;verify' {
            break
        }
        'pc-hybrid;audit;help;help' {
            break
        }
        'pc-hybrid;invoke' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format of data written to stdout')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of data written to stdout')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]')
            [CompletionResult]::new('--arg', '--arg', [CompletionResultType]::ParameterName, 'An argument: `key=value` for a string, `key:=json` for any JSON value (a number, true, an object); repeatable')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'All arguments as one JSON object')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors; no progress or notes on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors; no progress or notes on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (-v for info, -vv for debug)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (-v for info, -vv for debug)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'pc-hybrid;gateway' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format of data written to stdout')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of data written to stdout')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors; no progress or notes on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors; no progress or notes on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (-v for info, -vv for debug)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (-v for info, -vv for debug)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'The tools offered (by the name clients see), those withheld and why, and every upstream replica with its health')
            [CompletionResult]::new('stdio', 'stdio', [CompletionResultType]::ParameterValue, 'Serve the gateway over stdio, for a desktop MCP client (`mcp client-config gateway` prints its configuration)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'pc-hybrid;gateway;status' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format of data written to stdout')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of data written to stdout')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors; no progress or notes on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors; no progress or notes on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (-v for info, -vv for debug)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (-v for info, -vv for debug)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'pc-hybrid;gateway;stdio' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format of data written to stdout')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of data written to stdout')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors; no progress or notes on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors; no progress or notes on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (-v for info, -vv for debug)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (-v for info, -vv for debug)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'pc-hybrid;gateway;help' {
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'The tools offered (by the name clients see), those withheld and why, and every upstream replica with its health')
            [CompletionResult]::new('stdio', 'stdio', [CompletionResultType]::ParameterValue, 'Serve the gateway over stdio, for a desktop MCP client (`mcp client-config gateway` prints its configuration)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'pc-hybrid;gateway;help;status' {
            break
        }
        'pc-hybrid;gateway;help;stdio' {
            break
        }
        'pc-hybrid;gateway;help;help' {
            break
        }
        'pc-hybrid;executions' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format of data written to stdout')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of data written to stdout')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]')
            [CompletionResult]::new('--agent', '--agent', [CompletionResultType]::ParameterName, 'Only this agent''s (or registered server''s)')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'Only this user''s')
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'From this time on: RFC 3339, or a duration back from now (30m, 24h, 7d)')
            [CompletionResult]::new('--until', '--until', [CompletionResultType]::ParameterName, 'Before this time')
            [CompletionResult]::new('--status', '--status', [CompletionResultType]::ParameterName, 'Only those that ended so')
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'The newest N that match')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors; no progress or notes on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors; no progress or notes on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (-v for info, -vv for debug)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (-v for info, -vv for debug)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('import', 'import', [CompletionResultType]::ParameterValue, 'Import executions recorded elsewhere: one JSON object per line (`-` or no FILE for stdin). Each line is checked; those already stored (by id) are counted, not stored again')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'pc-hybrid;executions;import' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format of data written to stdout')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of data written to stdout')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors; no progress or notes on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors; no progress or notes on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (-v for info, -vv for debug)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (-v for info, -vv for debug)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'pc-hybrid;executions;help' {
            [CompletionResult]::new('import', 'import', [CompletionResultType]::ParameterValue, 'Import executions recorded elsewhere: one JSON object per line (`-` or no FILE for stdin). Each line is checked; those already stored (by id) are counted, not stored again')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'pc-hybrid;executions;help;import' {
            break
        }
        'pc-hybrid;executions;help;help' {
            break
        }
        'pc-hybrid;feedback' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format of data written to stdout')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of data written to stdout')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]')
            [CompletionResult]::new('--rating', '--rating', [CompletionResultType]::ParameterName, 'From 1 (bad) to 5 (good)')
            [CompletionResult]::new('--correct', '--correct', [CompletionResultType]::ParameterName, 'Whether the answer was correct')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors; no progress or notes on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors; no progress or notes on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (-v for info, -vv for debug)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (-v for info, -vv for debug)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'pc-hybrid;analytics' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format of data written to stdout')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of data written to stdout')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors; no progress or notes on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors; no progress or notes on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (-v for info, -vv for debug)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (-v for info, -vv for debug)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('insights', 'insights', [CompletionResultType]::ParameterValue, 'The summary, trends (volume, p50/p95/p99 latency, model and infrastructure cost), agent performance and recommendations of a period; `-o json` prints the insights API''s body')
            [CompletionResult]::new('report', 'report', [CompletionResultType]::ParameterValue, 'One self-contained HTML page of a period (charts drawn as inline SVG, nothing fetched from anywhere): volume, latency percentiles, cost by kind, the agents, the recommendations and the alerts that fired')
            [CompletionResult]::new('alerts', 'alerts', [CompletionResultType]::ParameterValue, 'The alert rules (`analytics.alerts` in the config file)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'pc-hybrid;analytics;insights' {
            [CompletionResult]::new('--time-range', '--time-range', [CompletionResultType]::ParameterName, 'How far back: whole UTC days, the last one today')
            [CompletionResult]::new('--metrics', '--metrics', [CompletionResultType]::ParameterName, 'Which parts, comma-separated (default: all)')
            [CompletionResult]::new('--granularity', '--granularity', [CompletionResultType]::ParameterName, 'The length of one point of the trends (hourly covers at most 31 days)')
            [CompletionResult]::new('--agent-filter', '--agent-filter', [CompletionResultType]::ParameterName, 'Only these agents (or registered servers), comma-separated')
            [CompletionResult]::new('--user-filter', '--user-filter', [CompletionResultType]::ParameterName, 'Only these users'' calls, comma-separated')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format of data written to stdout')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of data written to stdout')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]')
            [CompletionResult]::new('--exact', '--exact', [CompletionResultType]::ParameterName, 'Compute from the executions themselves instead of the rollups: percentiles exact rather than within 1 %; slower on large stores')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors; no progress or notes on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors; no progress or notes on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (-v for info, -vv for debug)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (-v for info, -vv for debug)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'pc-hybrid;analytics;report' {
            [CompletionResult]::new('--time-range', '--time-range', [CompletionResultType]::ParameterName, 'How far back: whole UTC days, the last one today')
            [CompletionResult]::new('--granularity', '--granularity', [CompletionResultType]::ParameterName, 'The length of one point of the charts (hourly covers at most 31 days)')
            [CompletionResult]::new('--agent-filter', '--agent-filter', [CompletionResultType]::ParameterName, 'Only these agents (or registered servers), comma-separated')
            [CompletionResult]::new('--html', '--html', [CompletionResultType]::ParameterName, 'Where to write the page (replaced whole, never left half-written)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format of data written to stdout')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of data written to stdout')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors; no progress or notes on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors; no progress or notes on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (-v for info, -vv for debug)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (-v for info, -vv for debug)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'pc-hybrid;analytics;alerts' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format of data written to stdout')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of data written to stdout')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors; no progress or notes on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors; no progress or notes on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (-v for info, -vv for debug)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (-v for info, -vv for debug)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Evaluate every rule once: each firing alert is posted to ANALYTICS_ALERT_WEBHOOK_URL (unless it was sent within the throttle), kept and audited. Exit 1 when one fires: fit for cron. The daemon evaluates them continuously')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'pc-hybrid;analytics;alerts;check' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format of data written to stdout')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of data written to stdout')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors; no progress or notes on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors; no progress or notes on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (-v for info, -vv for debug)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (-v for info, -vv for debug)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'pc-hybrid;analytics;alerts;help' {
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Evaluate every rule once: each firing alert is posted to ANALYTICS_ALERT_WEBHOOK_URL (unless it was sent within the throttle), kept and audited. Exit 1 when one fires: fit for cron. The daemon evaluates them continuously')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'pc-hybrid;analytics;alerts;help;check' {
            break
        }
        'pc-hybrid;analytics;alerts;help;help' {
            break
        }
        'pc-hybrid;analytics;help' {
            [CompletionResult]::new('insights', 'insights', [CompletionResultType]::ParameterValue, 'The summary, trends (volume, p50/p95/p99 latency, model and infrastructure cost), agent performance and recommendations of a period; `-o json` prints the insights API''s body')
            [CompletionResult]::new('report', 'report', [CompletionResultType]::ParameterValue, 'One self-contained HTML page of a period (charts drawn as inline SVG, nothing fetched from anywhere): volume, latency percentiles, cost by kind, the agents, the recommendations and the alerts that fired')
            [CompletionResult]::new('alerts', 'alerts', [CompletionResultType]::ParameterValue, 'The alert rules (`analytics.alerts` in the config file)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'pc-hybrid;analytics;help;insights' {
            break
        }
        'pc-hybrid;analytics;help;report' {
            break
        }
        'pc-hybrid;analytics;help;alerts' {
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Evaluate every rule once: each firing alert is posted to ANALYTICS_ALERT_WEBHOOK_URL (unless it was sent within the throttle), kept and audited. Exit 1 when one fires: fit for cron. The daemon evaluates them continuously')
            break
        }
        'pc-hybrid;analytics;help;alerts;check' {
            break
        }
        'pc-hybrid;analytics;help;help' {
            break
        }
        'pc-hybrid;login' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format of data written to stdout')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of data written to stdout')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]')
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'The loopback port of the browser flow, e.g. to forward it with `ssh -L`')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors; no progress or notes on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors; no progress or notes on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (-v for info, -vv for debug)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (-v for info, -vv for debug)')
            [CompletionResult]::new('--device', '--device', [CompletionResultType]::ParameterName, 'Device authorization: open a URL on any device and confirm the code shown here')
            [CompletionResult]::new('--browser', '--browser', [CompletionResultType]::ParameterName, 'Authorization code with PKCE: a browser on this machine comes back to a loopback port')
            [CompletionResult]::new('--client-credentials', '--client-credentials', [CompletionResultType]::ParameterName, 'The client''s own credentials, for CI: KEYCLOAK_CLIENT_ID with the secret from KEYCLOAK_CLIENT_SECRET or stdin (never from a flag)')
            [CompletionResult]::new('--with-token', '--with-token', [CompletionResultType]::ParameterName, 'Read an access token from stdin; it is verified before it is stored')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'pc-hybrid;logout' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format of data written to stdout')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of data written to stdout')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors; no progress or notes on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors; no progress or notes on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (-v for info, -vv for debug)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (-v for info, -vv for debug)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'pc-hybrid;whoami' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format of data written to stdout')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of data written to stdout')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors; no progress or notes on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors; no progress or notes on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (-v for info, -vv for debug)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (-v for info, -vv for debug)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'pc-hybrid;auth' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format of data written to stdout')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of data written to stdout')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors; no progress or notes on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors; no progress or notes on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (-v for info, -vv for debug)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (-v for info, -vv for debug)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('token', 'token', [CompletionResultType]::ParameterValue, 'Print a valid access token (refreshed first when it is about to expire)')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Exit 0 when logged in, 3 when not')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'pc-hybrid;auth;token' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format of data written to stdout')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of data written to stdout')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors; no progress or notes on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors; no progress or notes on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (-v for info, -vv for debug)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (-v for info, -vv for debug)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'pc-hybrid;auth;status' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format of data written to stdout')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of data written to stdout')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors; no progress or notes on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors; no progress or notes on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (-v for info, -vv for debug)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (-v for info, -vv for debug)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'pc-hybrid;auth;help' {
            [CompletionResult]::new('token', 'token', [CompletionResultType]::ParameterValue, 'Print a valid access token (refreshed first when it is about to expire)')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Exit 0 when logged in, 3 when not')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'pc-hybrid;auth;help;token' {
            break
        }
        'pc-hybrid;auth;help;status' {
            break
        }
        'pc-hybrid;auth;help;help' {
            break
        }
        'pc-hybrid;config' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format of data written to stdout')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of data written to stdout')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors; no progress or notes on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors; no progress or notes on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (-v for info, -vv for debug)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (-v for info, -vv for debug)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Print every resolved setting with where it came from (secrets redacted)')
            [CompletionResult]::new('set-git-token', 'set-git-token', [CompletionResultType]::ParameterValue, 'Store a git token for HTTPS pushes in the OS keyring, read from stdin')
            [CompletionResult]::new('clear-git-token', 'clear-git-token', [CompletionResultType]::ParameterValue, 'Remove the git token from the OS keyring')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'pc-hybrid;config;show' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format of data written to stdout')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of data written to stdout')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors; no progress or notes on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors; no progress or notes on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (-v for info, -vv for debug)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (-v for info, -vv for debug)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'pc-hybrid;config;set-git-token' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format of data written to stdout')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of data written to stdout')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors; no progress or notes on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors; no progress or notes on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (-v for info, -vv for debug)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (-v for info, -vv for debug)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'pc-hybrid;config;clear-git-token' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format of data written to stdout')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of data written to stdout')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors; no progress or notes on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors; no progress or notes on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (-v for info, -vv for debug)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (-v for info, -vv for debug)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'pc-hybrid;config;help' {
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Print every resolved setting with where it came from (secrets redacted)')
            [CompletionResult]::new('set-git-token', 'set-git-token', [CompletionResultType]::ParameterValue, 'Store a git token for HTTPS pushes in the OS keyring, read from stdin')
            [CompletionResult]::new('clear-git-token', 'clear-git-token', [CompletionResultType]::ParameterValue, 'Remove the git token from the OS keyring')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'pc-hybrid;config;help;show' {
            break
        }
        'pc-hybrid;config;help;set-git-token' {
            break
        }
        'pc-hybrid;config;help;clear-git-token' {
            break
        }
        'pc-hybrid;config;help;help' {
            break
        }
        'pc-hybrid;doctor' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format of data written to stdout')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of data written to stdout')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors; no progress or notes on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors; no progress or notes on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (-v for info, -vv for debug)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (-v for info, -vv for debug)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'pc-hybrid;daemon' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format of data written to stdout')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of data written to stdout')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors; no progress or notes on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors; no progress or notes on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (-v for info, -vv for debug)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (-v for info, -vv for debug)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('run', 'run', [CompletionResultType]::ParameterValue, 'Serve in the foreground, logging to stderr (for systemd and containers)')
            [CompletionResult]::new('start', 'start', [CompletionResultType]::ParameterValue, 'Start in the background; returns once it answers')
            [CompletionResult]::new('stop', 'stop', [CompletionResultType]::ParameterValue, 'Stop gracefully: running operations finish and every acknowledged event is durable')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Pid, version, protocol, uptime, socket, stores, audit queue and requests served')
            [CompletionResult]::new('restart', 'restart', [CompletionResultType]::ParameterValue, 'Stop, then start (after an upgrade, or when the protocol does not match)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'pc-hybrid;daemon;run' {
            [CompletionResult]::new('--listen', '--listen', [CompletionResultType]::ParameterName, 'Also serve the API over TCP on ADDR:PORT for other machines'' CLIs and scripts; every request needs `Authorization: Bearer <JWT>` of the SSO provider. TLS is required on any address but loopback')
            [CompletionResult]::new('--tls-cert', '--tls-cert', [CompletionResultType]::ParameterName, 'PEM certificate chain of the TCP listener')
            [CompletionResult]::new('--tls-key', '--tls-key', [CompletionResultType]::ParameterName, 'PEM private key of the TCP listener')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format of data written to stdout')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of data written to stdout')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors; no progress or notes on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors; no progress or notes on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (-v for info, -vv for debug)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (-v for info, -vv for debug)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'pc-hybrid;daemon;start' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format of data written to stdout')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of data written to stdout')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors; no progress or notes on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors; no progress or notes on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (-v for info, -vv for debug)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (-v for info, -vv for debug)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'pc-hybrid;daemon;stop' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format of data written to stdout')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of data written to stdout')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors; no progress or notes on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors; no progress or notes on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (-v for info, -vv for debug)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (-v for info, -vv for debug)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'pc-hybrid;daemon;status' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format of data written to stdout')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of data written to stdout')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors; no progress or notes on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors; no progress or notes on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (-v for info, -vv for debug)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (-v for info, -vv for debug)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'pc-hybrid;daemon;restart' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format of data written to stdout')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of data written to stdout')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors; no progress or notes on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors; no progress or notes on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (-v for info, -vv for debug)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (-v for info, -vv for debug)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'pc-hybrid;daemon;help' {
            [CompletionResult]::new('run', 'run', [CompletionResultType]::ParameterValue, 'Serve in the foreground, logging to stderr (for systemd and containers)')
            [CompletionResult]::new('start', 'start', [CompletionResultType]::ParameterValue, 'Start in the background; returns once it answers')
            [CompletionResult]::new('stop', 'stop', [CompletionResultType]::ParameterValue, 'Stop gracefully: running operations finish and every acknowledged event is durable')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Pid, version, protocol, uptime, socket, stores, audit queue and requests served')
            [CompletionResult]::new('restart', 'restart', [CompletionResultType]::ParameterValue, 'Stop, then start (after an upgrade, or when the protocol does not match)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'pc-hybrid;daemon;help;run' {
            break
        }
        'pc-hybrid;daemon;help;start' {
            break
        }
        'pc-hybrid;daemon;help;stop' {
            break
        }
        'pc-hybrid;daemon;help;status' {
            break
        }
        'pc-hybrid;daemon;help;restart' {
            break
        }
        'pc-hybrid;daemon;help;help' {
            break
        }
        'pc-hybrid;completions' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format of data written to stdout')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of data written to stdout')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors; no progress or notes on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors; no progress or notes on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (-v for info, -vv for debug)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (-v for info, -vv for debug)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'pc-hybrid;help' {
            [CompletionResult]::new('create-agent', 'create-agent', [CompletionResultType]::ParameterValue, 'Create an agent project from a template, commit it to git, push and register it')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show the steps of an agent creation')
            [CompletionResult]::new('list-agents', 'list-agents', [CompletionResultType]::ParameterValue, 'List the agents with their deployments: target, environment, replicas wanted and healthy, endpoints, artifact and last health check')
            [CompletionResult]::new('deploy-agent', 'deploy-agent', [CompletionResultType]::ParameterValue, 'Deploy an agent: local processes (default), Docker containers or Kubernetes manifests')
            [CompletionResult]::new('undeploy', 'undeploy', [CompletionResultType]::ParameterValue, 'Stop and remove an agent''s deployments')
            [CompletionResult]::new('logs', 'logs', [CompletionResultType]::ParameterValue, 'Show the log of one replica of a deployed agent')
            [CompletionResult]::new('restart', 'restart', [CompletionResultType]::ParameterValue, 'Start again the replicas of a deployment that are not healthy')
            [CompletionResult]::new('mcp', 'mcp', [CompletionResultType]::ParameterValue, 'The MCP registry: register, validate, list, show, remove and export MCP servers')
            [CompletionResult]::new('audit', 'audit', [CompletionResultType]::ParameterValue, 'The audit trail: ingest, query, tail, export and verify events')
            [CompletionResult]::new('invoke', 'invoke', [CompletionResultType]::ParameterValue, 'Call a tool of a deployed agent or registered server through the gateway: governed, audited and recorded as an execution like any MCP client''s call')
            [CompletionResult]::new('gateway', 'gateway', [CompletionResultType]::ParameterValue, 'The MCP gateway: one MCP endpoint in front of every deployed agent and registered server (the daemon serves it at /mcp)')
            [CompletionResult]::new('executions', 'executions', [CompletionResultType]::ParameterValue, 'Tool calls (executions) recorded here or imported: list them, or import JSON Lines')
            [CompletionResult]::new('feedback', 'feedback', [CompletionResultType]::ParameterValue, 'Judge an execution: a rating from 1 to 5, and whether its answer was correct')
            [CompletionResult]::new('analytics', 'analytics', [CompletionResultType]::ParameterValue, 'Analytics over the executions: insights of a period, from rollups kept as calls are recorded')
            [CompletionResult]::new('login', 'login', [CompletionResultType]::ParameterValue, 'Log in to the SSO provider: device code, browser, client credentials or a token')
            [CompletionResult]::new('logout', 'logout', [CompletionResultType]::ParameterValue, 'Log out: revoke the session at the provider, then forget its tokens here')
            [CompletionResult]::new('whoami', 'whoami', [CompletionResultType]::ParameterValue, 'Who the session says you are: user, organization, roles, token expiries, where the tokens are kept and which operations your roles allow')
            [CompletionResult]::new('auth', 'auth', [CompletionResultType]::ParameterValue, 'Tokens for scripts: print a valid access token, or check whether you are logged in')
            [CompletionResult]::new('config', 'config', [CompletionResultType]::ParameterValue, 'Inspect the resolved configuration')
            [CompletionResult]::new('doctor', 'doctor', [CompletionResultType]::ParameterValue, 'Check the environment: git identity, Docker Engine, keyring, Python and MCP SDK, store')
            [CompletionResult]::new('daemon', 'daemon', [CompletionResultType]::ParameterValue, 'The background daemon: one store handle and one audit pipeline for every command')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'pc-hybrid;help;create-agent' {
            break
        }
        'pc-hybrid;help;status' {
            break
        }
        'pc-hybrid;help;list-agents' {
            break
        }
        'pc-hybrid;help;deploy-agent' {
            break
        }
        'pc-hybrid;help;undeploy' {
            break
        }
        'pc-hybrid;help;logs' {
            break
        }
        'pc-hybrid;help;restart' {
            break
        }
        'pc-hybrid;help;mcp' {
            break
        }
        'pc-hybrid;help;audit' {
            break
        }
        'pc-hybrid;help;invoke' {
            break
        }
        'pc-hybrid;help;gateway' {
            break
        }
        'pc-hybrid;help;executions' {
            break
        }
        'pc-hybrid;help;feedback' {
            break
        }
        'pc-hybrid;help;analytics' {
            break
        }
        'pc-hybrid;help;login' {
            break
        }
        'pc-hybrid;help;logout' {
            break
        }
        'pc-hybrid;help;whoami' {
            break
        }
        'pc-hybrid;help;auth' {
            break
        }
        'pc-hybrid;help;config' {
            break
        }
        'pc-hybrid;help;doctor' {
            break
        }
        'pc-hybrid;help;daemon' {
            break
        }
        'pc-hybrid;help;completions' {
            break
        }
        'pc-hybrid;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
