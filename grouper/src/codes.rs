//! Codes: diagnosis (ICD-10 医保版) and procedure (ICD-9-CM3 医保版) strings, interned once at load time
//! to dense typed integer ids, and the record-side views of a code list.
//!
//! Every code a scheme mentions (in a rule list, a CC/MCC table, a site map, a name table or a code map)
//! gets a [`CodeId`] in its own namespace ([`CodeKind::Dx`] or [`CodeKind::Proc`]). Id 0 is reserved
//! for "a code this scheme has never heard of": it is in no list, no table and no map, so an unknown
//! input code simply matches nothing.

use ahash::AHashMap;
use hashbrown::HashTable;

/// Which namespace a code belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CodeKind {
    /// Diagnoses (ICD-10 医保版).
    Dx,
    /// Procedures (ICD-9-CM3 医保版).
    Proc,
}

impl CodeKind {
    /// The name used in the scheme JSON (`"dx"` / `"proc"`).
    pub fn as_str(self) -> &'static str {
        match self {
            CodeKind::Dx => "dx",
            CodeKind::Proc => "proc",
        }
    }
}

/// A dense id of an interned code inside one [`CodeTable`]. `CodeId::UNKNOWN` (0) is any code the
/// scheme does not know.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct CodeId(pub u32);

impl CodeId {
    /// The id every unknown code resolves to.
    pub const UNKNOWN: CodeId = CodeId(0);

    /// The id as an index into dense per-code arrays.
    #[inline]
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// An interner for one code namespace: string -> [`CodeId`] and back.
///
/// Lookups are the hot path of grouping (every code of every record), and with tens of thousands of
/// codes they are bound by memory latency, so the table is built for cache density: a code of up to
/// 11 bytes (nearly all ICD codes: `A01.000`, `I06.200x001`, `00.6500x014`) is packed with its length
/// into 12 bytes and stored with its id in a 16-byte slot — no pointer to follow, no string compare.
/// Longer codes (`A36.800x005+N33.8*`) use an ordinary string map.
///
/// Each code also carries one `u32` of per-code data ([`CodeTable::set_aux`]); the scheme stores the
/// code-map target there.
#[derive(Clone, Debug)]
pub struct CodeTable {
    short: HashTable<Slot>,
    long: AHashMap<Box<str>, CodeId>,
    strings: Vec<Box<str>>,
    aux: Vec<u32>,
}

/// A packed short code and its id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Slot {
    key: [u32; 3],
    id: u32,
}

/// The `aux` value of a code nobody set one for.
pub const NO_AUX: u32 = u32::MAX;

impl Default for CodeTable {
    fn default() -> Self {
        CodeTable {
            short: HashTable::new(),
            long: AHashMap::new(),
            strings: vec!["".into()],
            aux: vec![NO_AUX],
        }
    }
}

/// The packed key of a code of at most 11 bytes: the bytes, zero-padded, then the length in the
/// last byte (so `"A"` and `"A\0"` differ).
#[inline]
fn short_key(code: &str) -> Option<[u32; 3]> {
    let b = code.as_bytes();
    if b.len() > 11 {
        return None;
    }
    let mut k = [0u8; 12];
    k[..b.len()].copy_from_slice(b);
    k[11] = b.len() as u8;
    Some([
        u32::from_le_bytes([k[0], k[1], k[2], k[3]]),
        u32::from_le_bytes([k[4], k[5], k[6], k[7]]),
        u32::from_le_bytes([k[8], k[9], k[10], k[11]]),
    ])
}

/// A fast, well-mixed hash of a packed key (folded 64x64->128 multiply).
#[inline]
fn hash_key(k: &[u32; 3]) -> u64 {
    let a = u64::from(k[0]) | (u64::from(k[1]) << 32);
    let b = u64::from(k[2]);
    let m = |x: u64, y: u64| {
        let r = u128::from(x) * u128::from(y);
        (r as u64) ^ ((r >> 64) as u64)
    };
    m(a ^ 0x243f_6a88_85a3_08d3, b ^ 0x1319_8a2e_0370_7344)
}

impl CodeTable {
    /// Interns `code`, returning its id (the same id for the same string). The empty string is
    /// never interned: it is always [`CodeId::UNKNOWN`].
    pub fn intern(&mut self, code: &str) -> CodeId {
        let found = self.get(code);
        if found != CodeId::UNKNOWN || code.is_empty() {
            return found;
        }
        let id = CodeId(self.strings.len() as u32);
        self.strings.push(code.into());
        self.aux.push(NO_AUX);
        match short_key(code) {
            Some(key) => {
                self.short
                    .insert_unique(hash_key(&key), Slot { key, id: id.0 }, |s| hash_key(&s.key));
            }
            None => {
                self.long.insert(code.into(), id);
            }
        }
        id
    }

    /// Sets the per-code data of an interned code; false if the code is not interned.
    pub fn set_aux(&mut self, code: &str, aux: u32) -> bool {
        let id = self.get(code);
        if id == CodeId::UNKNOWN {
            return false;
        }
        self.aux[id.index()] = aux;
        true
    }

    /// The id and per-code data of `code`; `(CodeId::UNKNOWN, NO_AUX)` for an unknown code.
    #[inline]
    pub fn lookup(&self, code: &str) -> (CodeId, u32) {
        let id = self.get(code);
        (id, self.aux[id.index()])
    }

    /// The id of `code`, or [`CodeId::UNKNOWN`].
    #[inline]
    pub fn get(&self, code: &str) -> CodeId {
        match short_key(code) {
            Some(key) => self
                .short
                .find(hash_key(&key), |s| s.key == key)
                .map_or(CodeId::UNKNOWN, |s| CodeId(s.id)),
            None => self.long.get(code).copied().unwrap_or(CodeId::UNKNOWN),
        }
    }

    /// The string of an id (`""` for [`CodeId::UNKNOWN`]).
    pub fn name(&self, id: CodeId) -> &str {
        self.strings.get(id.index()).map_or("", |s| s)
    }

    /// Number of ids, including the reserved unknown id.
    pub fn len(&self) -> usize {
        self.strings.len()
    }

    /// True when only the reserved unknown id exists.
    pub fn is_empty(&self) -> bool {
        self.strings.len() <= 1
    }
}

/// A record's list of codes, first = principal. Either one joined string as exported by hospital
/// systems (`"I21.000|I10.x00"`, split on `,` or `|`), or already-separate strings.
#[derive(Clone, Copy, Debug)]
pub enum Codes<'a> {
    /// One string, codes separated by `,` or `|`. An empty string is "no codes" for procedures and
    /// one empty diagnosis for diagnoses (see [`Codes::iter_dx`]), as in the reference grouper.
    Joined(&'a str),
    /// Separate codes, used as given.
    List(&'a [&'a str]),
}

impl<'a> Default for Codes<'a> {
    fn default() -> Self {
        Codes::Joined("")
    }
}

impl<'a> Codes<'a> {
    /// The codes as a diagnosis list: a joined string is always split, so an empty string is one
    /// empty code (`['']`), which passes validation and matches nothing — the reference's behaviour.
    pub fn iter_dx(&self) -> CodesIter<'a> {
        match *self {
            Codes::Joined(s) => CodesIter::Split(Some(s)),
            Codes::List(l) => CodesIter::List(l.iter()),
        }
    }

    /// The codes as a procedure list: an empty joined string is no procedures at all.
    pub fn iter_proc(&self) -> CodesIter<'a> {
        match *self {
            Codes::Joined("") => CodesIter::Split(None),
            Codes::Joined(s) => CodesIter::Split(Some(s)),
            Codes::List(l) => CodesIter::List(l.iter()),
        }
    }
}

/// Iterator over the codes of a [`Codes`].
#[derive(Clone, Debug)]
pub enum CodesIter<'a> {
    /// Remaining part of a joined string.
    Split(Option<&'a str>),
    /// Remaining separate codes.
    List(std::slice::Iter<'a, &'a str>),
}

impl<'a> Iterator for CodesIter<'a> {
    type Item = &'a str;

    #[inline]
    fn next(&mut self) -> Option<&'a str> {
        match self {
            CodesIter::Split(rest) => {
                let s = rest.take()?;
                // Separators are ASCII, so a byte scan finds them at char boundaries.
                match s.bytes().position(|b| b == b',' || b == b'|') {
                    Some(i) => {
                        *rest = Some(&s[i + 1..]);
                        Some(&s[..i])
                    }
                    None => Some(s),
                }
            }
            CodesIter::List(it) => it.next().copied(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dx(s: &str) -> Vec<&str> {
        Codes::Joined(s).iter_dx().collect()
    }

    #[test]
    fn joined_codes_split_like_the_reference() {
        assert_eq!(dx("A|B,C"), ["A", "B", "C"]);
        assert_eq!(dx(""), [""]);
        assert_eq!(dx("A|"), ["A", ""]);
        assert_eq!(Codes::Joined("").iter_proc().count(), 0);
        assert_eq!(
            Codes::Joined("x|").iter_proc().collect::<Vec<_>>(),
            ["x", ""]
        );
    }

    #[test]
    fn interner_gives_stable_ids_and_reserves_unknown() {
        let mut t = CodeTable::default();
        let a = t.intern("A00.000");
        assert_eq!(t.intern("A00.000"), a);
        assert_ne!(a, CodeId::UNKNOWN);
        assert_eq!(t.get("nope"), CodeId::UNKNOWN);
        assert_eq!(t.name(a), "A00.000");
        let long = t.intern("A36.800x005+N33.8*");
        assert_eq!(t.get("A36.800x005+N33.8*"), long);
        assert_eq!(t.get("A36.800x005+N33.8"), CodeId::UNKNOWN);
        // Same bytes, different length: distinct keys.
        assert_eq!(t.get("A00.000\0"), CodeId::UNKNOWN);
        assert_eq!(
            t.intern(""),
            CodeId::UNKNOWN,
            "the empty code is never interned"
        );
    }
}
