//! MDCZ (多发严重创伤) body-site counting: a code's site is the section header it is listed under
//! (头颈部创伤, 胸部创伤, …); the MDC is entered when the diagnoses hit at least two distinct sites.

use crate::codes::CodeId;

/// A compiled site map: site index + 1 per diagnosis id (0 = not in the map).
#[derive(Clone, Debug)]
pub(crate) struct SiteMap {
    pub name: Box<str>,
    pub site_of: Vec<u8>,
}

impl SiteMap {
    /// Number of distinct sites among `dx` (codes outside the map are ignored).
    #[inline]
    pub(crate) fn distinct_sites(&self, dx: &[CodeId]) -> u32 {
        let mut mask = 0u64;
        for &d in dx {
            let s = self.site_of.get(d.index()).copied().unwrap_or(0);
            if s != 0 {
                mask |= 1u64 << (s - 1);
            }
        }
        mask.count_ones()
    }
}
