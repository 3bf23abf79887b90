use std::process::{Command, Output};

#[derive(Debug, Clone)]
pub struct PostProcessConfig {
    pub shell_template: String,
    pub fixed_program: String,
    pub fixed_args: Vec<String>,
}

#[derive(Debug)]
pub enum ConfigError {
    Execute(std::io::Error),
}

#[derive(Debug, Clone)]
pub struct CommandRunner {
    config: PostProcessConfig,
}

impl CommandRunner {
    pub fn new(config: PostProcessConfig) -> Self {
        Self { config }
    }

    /// Uses an executable and individual arguments without a shell.
    pub fn run_fixed(&self, artifact_name: &str) -> Result<Output, ConfigError> {
        Command::new(&self.config.fixed_program)
            .args(&self.config.fixed_args)
            .arg(artifact_name)
            .output()
            .map_err(ConfigError::Execute)
    }
}
