//! Reads the import section of a WebAssembly module, to prove that no native code slipped into a wasm build:
//! a C dependency or a libc call that rustc cannot resolve shows up as an import from module `env`.
//!
//! The binary format: magic `\0asm`, version 1 (u32 LE), then sections, each an id byte and a LEB128 u32
//! size. The import section (id 2) is a vector of (module name, field name, import description).

/// One import: the module it comes from, its field name and its kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Import {
    pub(crate) module: String,
    pub(crate) field: String,
    pub(crate) kind: &'static str,
}

/// Every import of the module in `wasm`, in order.
pub(crate) fn imports(wasm: &[u8]) -> Result<Vec<Import>, String> {
    let mut r = Reader { bytes: wasm, pos: 0 };
    if r.take(4)? != b"\0asm" {
        return Err("not a wasm module (bad magic)".into());
    }
    let version = r.take(4)?;
    if version != [1, 0, 0, 0] {
        return Err(format!("unsupported wasm binary version {version:?}"));
    }
    let mut out = Vec::new();
    while r.pos < r.bytes.len() {
        let id = r.byte()?;
        let size = r.u32()? as usize;
        let body = r.take(size)?;
        if id == 2 {
            let mut s = Reader { bytes: body, pos: 0 };
            for _ in 0..s.u32()? {
                let module = s.name()?;
                let field = s.name()?;
                let kind = s.import_desc().map_err(|e| format!("import {module}.{field}: {e}"))?;
                out.push(Import { module, field, kind });
            }
        }
    }
    Ok(out)
}

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        let end = self.pos.checked_add(n).filter(|&end| end <= self.bytes.len());
        let end = end.ok_or_else(|| format!("truncated at byte {} (wanted {n} more)", self.pos))?;
        let slice = &self.bytes[self.pos..end];
        self.pos = end;
        Ok(slice)
    }

    fn byte(&mut self) -> Result<u8, String> {
        Ok(self.take(1)?[0])
    }

    /// An unsigned LEB128 of at most `bits` bits.
    fn leb(&mut self, bits: u32) -> Result<u64, String> {
        let (mut value, mut shift) = (0u64, 0u32);
        loop {
            let b = self.byte()?;
            value |= u64::from(b & 0x7f) << shift;
            shift += 7;
            if b & 0x80 == 0 {
                return Ok(value);
            }
            if shift >= bits {
                return Err(format!("LEB128 longer than {bits} bits at byte {}", self.pos));
            }
        }
    }

    fn u32(&mut self) -> Result<u32, String> {
        u32::try_from(self.leb(32)?).map_err(|_| format!("u32 out of range at byte {}", self.pos))
    }

    fn name(&mut self) -> Result<String, String> {
        let len = self.u32()? as usize;
        Ok(String::from_utf8_lossy(self.take(len)?).into_owned())
    }

    /// Skips an import description and names its kind.
    fn import_desc(&mut self) -> Result<&'static str, String> {
        match self.byte()? {
            0x00 => self.u32().map(|_| "func"),
            0x01 => {
                self.ref_type()?;
                self.limits()?;
                Ok("table")
            }
            0x02 => self.limits().map(|()| "memory"),
            0x03 => {
                self.val_type()?;
                self.byte()?; // mutability
                Ok("global")
            }
            0x04 => {
                self.byte()?; // attribute (0: exception)
                self.u32().map(|_| "tag")
            }
            other => Err(format!("unknown import kind 0x{other:02x}")),
        }
    }

    fn limits(&mut self) -> Result<(), String> {
        let flags = self.byte()?;
        // Bit 0: has a maximum; bit 1: shared; bit 2: 64-bit (memory64).
        let bits = if flags & 0x04 != 0 { 64 } else { 32 };
        self.leb(bits)?;
        if flags & 0x01 != 0 {
            self.leb(bits)?;
        }
        Ok(())
    }

    fn val_type(&mut self) -> Result<(), String> {
        match self.byte()? {
            // Typed references (function references / GC): a heap type follows, as a signed LEB128 (s33).
            0x63 | 0x64 => self.leb(35).map(drop),
            _ => Ok(()),
        }
    }

    fn ref_type(&mut self) -> Result<(), String> {
        self.val_type()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A module importing `env.memcpy` (func), `env.__memory` (memory, min 1 max 2) and
    /// `__wbindgen_placeholder__.__wbindgen_describe` (func), preceded by a type section.
    fn module() -> Vec<u8> {
        let mut m = b"\0asm\x01\0\0\0".to_vec();
        m.extend([1, 4, 1, 0x60, 0, 0]); // type section: one `[] -> []`
        let mut body = vec![3];
        for (module, field, desc) in [
            ("env", "memcpy", &[0x00, 0][..]),
            ("env", "__memory", &[0x02, 0x01, 1, 2][..]),
            ("__wbindgen_placeholder__", "__wbindgen_describe", &[0x00, 0][..]),
        ] {
            body.push(module.len() as u8);
            body.extend(module.bytes());
            body.push(field.len() as u8);
            body.extend(field.bytes());
            body.extend(desc);
        }
        m.push(2);
        m.push(body.len() as u8);
        m.extend(body);
        m.extend([0, 3, 1, b'x', 9]); // a custom section after it
        m
    }

    #[test]
    fn lists_imports() {
        let got = imports(&module()).unwrap();
        let names: Vec<_> = got.iter().map(|i| (i.module.as_str(), i.field.as_str(), i.kind)).collect();
        assert_eq!(
            names,
            [
                ("env", "memcpy", "func"),
                ("env", "__memory", "memory"),
                ("__wbindgen_placeholder__", "__wbindgen_describe", "func"),
            ]
        );
    }

    #[test]
    fn rejects_garbage_and_truncation() {
        assert!(imports(b"\x7fELF\x02\x01\x01\0").is_err());
        let m = module();
        assert!(imports(&m[..m.len() - 3]).unwrap_err().contains("truncated"));
    }

    #[test]
    fn reads_a_module_without_imports() {
        assert_eq!(imports(b"\0asm\x01\0\0\0").unwrap(), []);
    }
}
