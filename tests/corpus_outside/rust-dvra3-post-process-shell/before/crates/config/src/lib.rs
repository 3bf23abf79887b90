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
}
