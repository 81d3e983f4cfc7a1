use clap::CommandFactory;

use super::*;

fn parse(args: &[&str]) -> Result<Cli, String> {
    let mut all = vec!["casting-server"];
    all.extend_from_slice(args);
    Cli::from_args(all, |_| None)
}

#[test]
fn the_cli_is_well_formed() {
    Cli::command().debug_assert();
}

#[test]
fn every_setting_is_a_flag_and_a_variable() {
    let command = Cli::command();
    let settings: Vec<_> = command
        .get_arguments()
        .filter(|arg| {
            arg.get_long()
                .is_some_and(|long| long != "help" && long != "version")
        })
        .collect();
    assert_eq!(settings.len(), 27);
    for arg in settings {
        assert!(
            arg.get_env().is_some(),
            "{:?} has no variable",
            arg.get_id()
        );
    }
}

#[test]
fn flags_and_subcommands_parse() {
    let cli = parse(&["--port", "0", "serve"]).unwrap();
    assert!(matches!(cli.command, Some(Command::Serve)));
    assert_eq!(cli.settings.port, 0);
    for dev in [&["--dev", "serve"][..], &["serve", "--dev"], &["--dev=1"]] {
        let cli = parse(dev).unwrap();
        assert_eq!(cli.settings.dev_auth, Some(true), "{dev:?}");
        assert!(!matches!(cli.command, Some(Command::Openapi)));
    }
    let cli = parse(&["openapi"]).unwrap();
    assert!(matches!(cli.command, Some(Command::Openapi)));
    let cli = parse(&["adopt", "--apply"]).unwrap();
    assert!(matches!(
        cli.command,
        Some(Command::Adopt {
            apply: true,
            quarantine: false
        })
    ));
}

#[test]
fn a_bad_value_is_one_line_naming_the_setting_from_a_flag_or_a_variable() {
    assert_eq!(
        parse(&["--port", "eighty"]).unwrap_err(),
        "PORT: \"eighty\" is not a port number (0 to 65535)"
    );
    let from_env = Cli::from_args(["casting-server"], |name| {
        (name == "MAX_CONNECTIONS").then(|| "lots".into())
    })
    .unwrap_err();
    assert_eq!(
        from_env,
        "MAX_CONNECTIONS: \"lots\" is not a number from 1 to 1000000"
    );
    assert!(
        parse(&["--log-format", "xml"])
            .unwrap_err()
            .starts_with("LOG_FORMAT: ")
    );
    assert!(
        parse(&["--dev=maybe"])
            .unwrap_err()
            .starts_with("DEV_AUTH: ")
    );
}

#[test]
fn a_blank_variable_counts_as_unset() {
    let cli = Cli::from_args(["casting-server"], |name| match name {
        "PORT" | "AUTH0_DOMAIN" => Some("".into()),
        "DATABASE_URL" => Some(" ".into()),
        _ => None,
    })
    .unwrap();
    assert_eq!(cli.settings.port, 8080);
    assert_eq!(cli.settings.database_url, None);
    assert_eq!(cli.settings.auth0_domain, None);
}

/// README's table of settings, as `--help` says them: the variable (and flag), what it does,
/// its default.
fn settings_table() -> String {
    let mut table = String::from("| variable (flag) | meaning | default |\n|---|---|---|\n");
    let command = Cli::command();
    for arg in command.get_arguments() {
        let (Some(env), Some(long)) = (arg.get_env(), arg.get_long()) else {
            continue;
        };
        let help = arg
            .get_help()
            .map(|help| help.to_string().replace('\n', " "))
            .unwrap_or_default();
        let (meaning, default) = match help.split_once(" [default: ") {
            Some((meaning, default)) => {
                (meaning.to_owned(), default.trim_end_matches(']').to_owned())
            }
            None => {
                let values: Vec<String> = arg
                    .get_default_values()
                    .iter()
                    .map(|v| format!("`{}`", v.to_string_lossy()))
                    .collect();
                (help, values.join(", "))
            }
        };
        table.push_str(&format!(
            "| `{}` (`--{long}`) | {meaning} | {default} |\n",
            env.to_string_lossy()
        ));
    }
    table
}

#[test]
fn readme_lists_every_setting_as_help_does() {
    let readme = include_str!("../../../../README.md");
    let table = settings_table();
    assert!(
        readme.contains(&table),
        "README.md's settings table differs from --help; replace it with:\n\n{table}"
    );
}
