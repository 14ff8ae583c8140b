//! Randomness as a port, beside [`super::clock`]: API-key secrets and validation tokens draw
//! from an injected source, so the core never reaches for an ambient generator and tests can
//! make the draws repeatable.

use rand::RngCore;

/// A source of random bytes. Secrets are drawn from it, so a production source must be
/// cryptographically secure.
pub trait Random: Send + Sync + std::fmt::Debug {
    /// Fills `dest` with random bytes.
    fn fill_bytes(&self, dest: &mut [u8]);
}

/// The operating system's entropy through `rand`'s thread-local generator (a CSPRNG reseeded
/// from the OS).
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemRandom;

impl Random for SystemRandom {
    fn fill_bytes(&self, dest: &mut [u8]) {
        rand::rng().fill_bytes(dest);
    }
}

/// A generator seeded once, giving the same draws for the same seed. Compiled into the crate's
/// own tests only, so no embedder can hand it to the service and mint predictable secrets.
#[cfg(test)]
#[derive(Debug)]
pub struct SeededRandom(std::sync::Mutex<rand::rngs::StdRng>);

#[cfg(test)]
impl SeededRandom {
    /// Starts from `seed`.
    pub fn new(seed: u64) -> Self {
        Self(std::sync::Mutex::new(
            <rand::rngs::StdRng as rand::SeedableRng>::seed_from_u64(seed),
        ))
    }
}

#[cfg(test)]
impl Random for SeededRandom {
    fn fill_bytes(&self, dest: &mut [u8]) {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .fill_bytes(dest);
    }
}

/// A [`Random`] seen as a `rand` generator, for the model functions that take `&mut impl Rng`.
#[derive(Debug)]
pub struct RandomRng<'a>(pub &'a dyn Random);

impl RngCore for RandomRng<'_> {
    fn next_u32(&mut self) -> u32 {
        let mut bytes = [0u8; 4];
        self.0.fill_bytes(&mut bytes);
        u32::from_le_bytes(bytes)
    }

    fn next_u64(&mut self) -> u64 {
        let mut bytes = [0u8; 8];
        self.0.fill_bytes(&mut bytes);
        u64::from_le_bytes(bytes)
    }

    fn fill_bytes(&mut self, dest: &mut [u8]) {
        self.0.fill_bytes(dest);
    }
}

#[cfg(test)]
mod tests {
    use rand::Rng;

    use super::*;

    #[test]
    fn seeded_draws_repeat() {
        let (a, b) = (SeededRandom::new(7), SeededRandom::new(7));
        let draw = |r: &SeededRandom| {
            let mut rng = RandomRng(r);
            (0..8)
                .map(|_| rng.random_range(0..16u8))
                .collect::<Vec<_>>()
        };
        assert_eq!(draw(&a), draw(&b));
        let mut bytes = [0u8; 32];
        SystemRandom.fill_bytes(&mut bytes);
        assert_ne!(bytes, [0u8; 32]);
    }
}
