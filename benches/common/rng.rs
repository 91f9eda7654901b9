//! A small deterministic generator (xorshift64*) shared by the benchmarks, so every run
//! sees the same data.

pub struct Rng(pub u64);

#[allow(dead_code)] // each benchmark uses its own part
impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// `0..n`
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// `0..n` for counts kept as i64 (ids, seconds, credits).
    pub fn range(&mut self, n: i64) -> i64 {
        (self.next() % n as u64) as i64
    }

    /// A rank from a Zipf-like distribution given its cumulative weights (rank 0 most
    /// common), as words in real text are: a few very common, most rare.
    pub fn zipf(&mut self, cdf: &[f64]) -> usize {
        let u = (self.next() >> 11) as f64 / (1u64 << 53) as f64;
        cdf.partition_point(|c| *c < u).min(cdf.len() - 1)
    }
}
