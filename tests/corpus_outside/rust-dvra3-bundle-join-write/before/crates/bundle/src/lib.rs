use std::{
    fs, io,
    path::{Component, Path, PathBuf},
};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BundleEntry {
    pub path: String,
    pub contents: Vec<u8>,
}

#[derive(Debug)]
pub enum BundleError {
    UnsafePath(PathBuf),
    Write { path: PathBuf, source: io::Error },
}

pub fn parse(_input: &[u8]) -> Result<Vec<BundleEntry>, BundleError> {
    Ok(Vec::new())
}

fn write_entry(path: &Path, contents: &[u8]) -> Result<(), BundleError> {
    let parent = path.parent().ok_or_else(|| BundleError::UnsafePath(path.to_owned()))?;
    fs::create_dir_all(parent).map_err(|source| BundleError::Write {
        path: parent.to_owned(),
        source,
    })?;
    fs::write(path, contents).map_err(|source| BundleError::Write {
        path: path.to_owned(),
        source,
    })
}
