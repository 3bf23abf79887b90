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

/// Rejects absolute paths, parent traversal, platform prefixes and all other non-normal components.
pub fn extract_fixed(input: &[u8], destination: &Path) -> Result<Vec<PathBuf>, BundleError> {
    let entries = parse(input)?;

    for entry in &entries {
        validate_relative_path(Path::new(&entry.path))?;
    }

    let mut written = Vec::with_capacity(entries.len());
    for entry in entries {
        let output = destination.join(entry.path);
        write_entry(&output, &entry.contents)?;
        written.push(output);
    }

    Ok(written)
}

fn validate_relative_path(path: &Path) -> Result<(), BundleError> {
    if path.as_os_str().is_empty()
        || path.is_absolute()
        || !path
            .components()
            .all(|component| matches!(component, Component::Normal(_)))
    {
        return Err(BundleError::UnsafePath(path.to_owned()));
    }
    Ok(())
}
