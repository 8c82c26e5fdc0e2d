//! Reads `weights.npz`: a zip of `.npy` arrays (little-endian, C order). Only the dtypes the model
//! uses are understood; anything else is a corrupt file.

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use crate::error::{Result, corrupt, io};

#[derive(Debug)]
pub(crate) enum Data {
    F32(Vec<f32>),
    F64(Vec<f64>),
    U8(Vec<u8>),
    I8(Vec<i8>),
}

#[derive(Debug)]
pub(crate) struct Array {
    pub shape: Vec<usize>,
    pub data: Data,
}

pub(crate) struct Npz {
    path: PathBuf,
    arrays: HashMap<String, Array>,
}

impl Npz {
    pub fn open(path: &Path) -> Result<Npz> {
        let file = std::fs::File::open(path).map_err(io(path))?;
        let mut zip = zip::ZipArchive::new(std::io::BufReader::new(file))
            .map_err(|e| corrupt(path, e.to_string()))?;
        let mut arrays = HashMap::new();
        for i in 0..zip.len() {
            let mut member = zip.by_index(i).map_err(|e| corrupt(path, e.to_string()))?;
            let name = member
                .name()
                .map_err(|e| corrupt(path, e.to_string()))?
                .trim_end_matches(".npy")
                .to_string();
            let mut bytes = Vec::with_capacity(member.size() as usize);
            member
                .read_to_end(&mut bytes)
                .map_err(|e| corrupt(path, format!("{name}: {e}")))?;
            let array = parse_npy(&bytes).map_err(|r| corrupt(path, format!("{name}: {r}")))?;
            arrays.insert(name, array);
        }
        Ok(Npz {
            path: path.to_path_buf(),
            arrays,
        })
    }

    /// Takes a float32 array out, checking its shape.
    pub fn f32(&mut self, name: &str, shape: &[usize]) -> Result<Vec<f32>> {
        match self.take(name, shape)? {
            Data::F32(v) => Ok(v),
            _ => Err(corrupt(&self.path, format!("{name}: not float32"))),
        }
    }

    pub fn i8(&mut self, name: &str, shape: &[usize]) -> Result<Vec<i8>> {
        match self.take(name, shape)? {
            Data::I8(v) => Ok(v),
            _ => Err(corrupt(&self.path, format!("{name}: not int8"))),
        }
    }

    pub fn u8(&mut self, name: &str, shape: &[usize]) -> Result<Vec<u8>> {
        match self.take(name, shape)? {
            Data::U8(v) => Ok(v),
            _ => Err(corrupt(&self.path, format!("{name}: not uint8"))),
        }
    }

    /// A scalar of any float type, as f64.
    pub fn scalar(&mut self, name: &str) -> Result<f64> {
        let a = self.take(name, &[])?;
        match a {
            Data::F64(v) if v.len() == 1 => Ok(v[0]),
            Data::F32(v) if v.len() == 1 => Ok(v[0] as f64),
            _ => Err(corrupt(&self.path, format!("{name}: not a float scalar"))),
        }
    }

    fn take(&mut self, name: &str, shape: &[usize]) -> Result<Data> {
        let a = self
            .arrays
            .remove(name)
            .ok_or_else(|| corrupt(&self.path, format!("array {name} missing")))?;
        if a.shape != shape {
            return Err(corrupt(
                &self.path,
                format!("{name}: shape {:?}, expected {shape:?}", a.shape),
            ));
        }
        Ok(a.data)
    }
}

fn parse_npy(b: &[u8]) -> std::result::Result<Array, String> {
    if b.len() < 10 || &b[..6] != b"\x93NUMPY" {
        return Err("not an npy array".into());
    }
    let (hlen, start) = match b[6] {
        1 => (u16::from_le_bytes([b[8], b[9]]) as usize, 10),
        2 | 3 if b.len() >= 12 => (u32::from_le_bytes([b[8], b[9], b[10], b[11]]) as usize, 12),
        v => return Err(format!("npy version {v}")),
    };
    let header = b
        .get(start..start + hlen)
        .and_then(|h| std::str::from_utf8(h).ok())
        .ok_or("bad npy header")?;
    let body = &b[start + hlen..];
    let field = |key: &str| -> std::result::Result<&str, String> {
        let at = header
            .find(&format!("'{key}':"))
            .ok_or(format!("no {key}"))?;
        Ok(header[at + key.len() + 3..].trim_start())
    };
    if field("fortran_order")?.starts_with("True") {
        return Err("Fortran order".into());
    }
    let descr = field("descr")?;
    let descr = descr
        .strip_prefix('\'')
        .and_then(|d| d.split('\'').next())
        .ok_or("bad descr")?;
    let shape_s = field("shape")?;
    let shape_s = shape_s
        .strip_prefix('(')
        .and_then(|s| s.split(')').next())
        .ok_or("bad shape")?;
    let shape = shape_s
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| s.parse::<usize>().map_err(|e| e.to_string()))
        .collect::<std::result::Result<Vec<_>, _>>()?;
    let n: usize = shape.iter().product();
    let need = |size: usize| {
        if body.len() == n * size {
            Ok(())
        } else {
            Err(format!("{} bytes for {n} values of {size}", body.len()))
        }
    };
    let data = match descr {
        "<f4" => {
            need(4)?;
            Data::F32(
                body.chunks_exact(4)
                    .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                    .collect(),
            )
        }
        "<f8" => {
            need(8)?;
            Data::F64(
                body.chunks_exact(8)
                    .map(|c| f64::from_le_bytes(c.try_into().expect("8 bytes")))
                    .collect(),
            )
        }
        "|u1" => {
            need(1)?;
            Data::U8(body.to_vec())
        }
        "|i1" => {
            need(1)?;
            Data::I8(body.iter().map(|&x| x as i8).collect())
        }
        d => return Err(format!("dtype {d}")),
    };
    Ok(Array { shape, data })
}
