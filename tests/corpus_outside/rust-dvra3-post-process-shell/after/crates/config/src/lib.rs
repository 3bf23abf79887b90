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

    /// Concatenates the artifact name from the post-process request into a shell command.
    pub fn run_vulnerable(&self, artifact_name: &str) -> Result<Output, ConfigError> {
        let template = &self.config.shell_template;
        let command = format!("{template} {artifact_name}");

        Command::new("sh")
            .arg("-c")
            .arg(command) // EXPECT shell command built from request data
            .output()
            .map_err(ConfigError::Execute)
    }
}
