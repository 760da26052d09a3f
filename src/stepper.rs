//! Play the scheduler: two threads each run the bytecodes of `value += 1`
//! (LOAD, ADD, STORE) in a loop, and the student picks which thread runs
//! the next one. The machine says when a STORE overwrote a value the other
//! thread stored after this thread's LOAD: an update lost. With the lock
//! on, the program is ACQUIRE, LOAD, ADD, STORE, RELEASE, and a step the
//! lock forbids is refused with the reason.
//!
//! A pure state machine, so the page only draws it and every rule is
//! tested here. Its words go on the page as they are: short and plain.

use crate::format::group;

/// One bytecode of the loop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Instr {
    Acquire,
    Load,
    Add,
    Store,
    Release,
}

impl Instr {
    /// As the page prints it: "LOAD".
    pub const fn name(self) -> &'static str {
        match self {
            Instr::Acquire => "ACQUIRE",
            Instr::Load => "LOAD",
            Instr::Add => "ADD",
            Instr::Store => "STORE",
            Instr::Release => "RELEASE",
        }
    }

    /// What it does, for a tooltip or a screen reader.
    pub const fn meaning(self) -> &'static str {
        match self {
            Instr::Acquire => "take the lock, or wait for it",
            Instr::Load => "copy value into the register",
            Instr::Add => "add 1 to the register",
            Instr::Store => "copy the register into value",
            Instr::Release => "let the lock go",
        }
    }
}

const PLAIN: [Instr; 3] = [Instr::Load, Instr::Add, Instr::Store];
const LOCKED: [Instr; 5] = [
    Instr::Acquire,
    Instr::Load,
    Instr::Add,
    Instr::Store,
    Instr::Release,
];

/// How many threads take turns.
pub const THREADS: usize = 2;

/// One thread's state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Thread {
    /// Where it is in the program: the index of its next instruction.
    pub pc: usize,
    /// What it holds: the value it loaded, one more after ADD; `None`
    /// before its LOAD and after its STORE.
    pub register: Option<u64>,
    /// Its increments done: STOREs run.
    pub stores: u64,
    /// Every thread's STOREs so far when it loaded: any more by the time
    /// it stores are the other thread's, made after its LOAD.
    stores_at_load: u64,
}

/// A STORE that wrote over a value the other thread had stored after this
/// thread's LOAD.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lost {
    pub thread: usize,
    /// What this thread loaded and what it stored (one more).
    pub loaded: u64,
    pub stored: u64,
    /// The thread whose value it overwrote, and that value.
    pub over: usize,
    pub over_value: u64,
}

impl Lost {
    /// Increments the STORE threw away: every one since this thread's LOAD.
    pub fn updates(&self) -> u64 {
        self.over_value.saturating_sub(self.loaded).max(1)
    }

    /// "thread 1 stored 1 over thread 0's 1: one update lost".
    pub fn words(&self) -> String {
        let n = self.updates();
        let lost = if n == 1 {
            "one update lost".to_string()
        } else {
            format!("{} updates lost", group(n))
        };
        format!(
            "thread {} stored {} over thread {}'s {}: {lost}",
            self.thread, self.stored, self.over, self.over_value
        )
    }

    /// "thread 0 stored after thread 1 loaded 0".
    pub fn why(&self) -> String {
        format!(
            "thread {} stored after thread {} loaded {}",
            self.over, self.thread, self.loaded
        )
    }
}

/// What one step did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub thread: usize,
    pub instr: Instr,
    /// The step in words: "thread 0 loads 3".
    pub words: String,
    /// Set when this step was a STORE that lost an update.
    pub lost: Option<Lost>,
}

/// A step the machine will not take, and why, in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    pub thread: usize,
    pub words: String,
}

/// The shared value, both threads, and the lock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stepper {
    lock: bool,
    value: u64,
    holder: Option<usize>,
    threads: [Thread; THREADS],
    /// STOREs by every thread, and who made the last.
    stores: u64,
    last_store_by: Option<usize>,
    lost: Vec<Lost>,
}

impl Stepper {
    /// A fresh machine: value 0, both threads at their first instruction.
    pub fn new(lock: bool) -> Stepper {
        Stepper {
            lock,
            value: 0,
            holder: None,
            threads: [Thread::default(); THREADS],
            stores: 0,
            last_store_by: None,
            lost: Vec::new(),
        }
    }

    /// Back to the start, the lock setting kept.
    pub fn reset(&mut self) {
        *self = Stepper::new(self.lock);
    }

    /// Turns the lock on or off. The program changes, so the machine
    /// starts again: a thread halfway through the old one has no place in
    /// the new.
    pub fn set_lock(&mut self, on: bool) {
        *self = Stepper::new(on);
    }

    pub fn uses_lock(&self) -> bool {
        self.lock
    }

    /// The loop every thread runs.
    pub fn program(&self) -> &'static [Instr] {
        if self.lock {
            &LOCKED
        } else {
            &PLAIN
        }
    }

    pub fn threads(&self) -> &[Thread; THREADS] {
        &self.threads
    }

    /// The instruction thread `t` runs next.
    pub fn next_instr(&self, t: usize) -> Option<Instr> {
        Some(self.program()[self.threads.get(t)?.pc])
    }

    /// The shared value.
    pub fn value(&self) -> u64 {
        self.value
    }

    /// Who holds the lock.
    pub fn holder(&self) -> Option<usize> {
        self.holder
    }

    /// Increments done: every thread's STOREs.
    pub fn increments(&self) -> u64 {
        self.stores
    }

    /// Increments the value is missing: done minus the value.
    pub fn missing(&self) -> u64 {
        self.stores.saturating_sub(self.value)
    }

    /// Every lost update so far, in order.
    pub fn lost(&self) -> &[Lost] {
        &self.lost
    }

    /// "5 increments, value 4: 1 missing".
    pub fn status(&self) -> String {
        let plural = if self.stores == 1 { "" } else { "s" };
        let counted = format!(
            "{} increment{plural}, value {}",
            group(self.stores),
            group(self.value)
        );
        match self.missing() {
            0 => counted,
            n => format!("{counted}: {} missing", group(n)),
        }
    }

    /// Whether thread `t` may run its next instruction, and if not, why.
    pub fn can_step(&self, t: usize) -> Result<(), Refused> {
        let refuse = |words: String| Err(Refused { thread: t, words });
        let Some(instr) = self.next_instr(t) else {
            return refuse(format!("there is no thread {t}"));
        };
        match (instr, self.holder) {
            (Instr::Acquire, Some(h)) if h != t => {
                let until = match self.next_instr(h) {
                    Some(Instr::Release) => "until its RELEASE",
                    _ => "between its LOAD and its STORE",
                };
                refuse(format!(
                    "thread {t} waits: thread {h} holds the lock {until}"
                ))
            }
            _ => Ok(()),
        }
    }

    /// Runs thread `t`'s next instruction, or refuses it (nothing changes).
    pub fn step(&mut self, t: usize) -> Result<Step, Refused> {
        self.can_step(t)?;
        let len = self.program().len();
        let instr = self.program()[self.threads[t].pc];
        let mut lost = None;
        let words = match instr {
            Instr::Acquire => {
                self.holder = Some(t);
                format!("thread {t} takes the lock")
            }
            Instr::Load => {
                let th = &mut self.threads[t];
                th.register = Some(self.value);
                th.stores_at_load = self.stores;
                format!("thread {t} loads {}", self.value)
            }
            Instr::Add => {
                let th = &mut self.threads[t];
                let r = th.register.unwrap_or(0) + 1;
                th.register = Some(r);
                format!("thread {t} adds 1: its register is {r}")
            }
            Instr::Store => {
                let th = self.threads[t];
                let stored = th.register.unwrap_or(0);
                let overwrote = self.stores > th.stores_at_load;
                if let (true, Some(over)) = (overwrote, self.last_store_by) {
                    lost = Some(Lost {
                        thread: t,
                        loaded: stored.saturating_sub(1),
                        stored,
                        over,
                        over_value: self.value,
                    });
                }
                self.value = stored;
                self.stores += 1;
                self.last_store_by = Some(t);
                let th = &mut self.threads[t];
                th.stores += 1;
                th.register = None;
                match &lost {
                    Some(l) => format!("{}: {}", l.words(), l.why()),
                    None => format!("thread {t} stores {stored}"),
                }
            }
            Instr::Release => {
                self.holder = None;
                format!("thread {t} lets the lock go")
            }
        };
        if let Some(l) = lost {
            self.lost.push(l);
        }
        let th = &mut self.threads[t];
        th.pc = (th.pc + 1) % len;
        Ok(Step {
            thread: t,
            instr,
            words,
            lost,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(s: &mut Stepper, schedule: &[usize]) -> Vec<Step> {
        schedule.iter().map(|&t| s.step(t).unwrap()).collect()
    }

    #[test]
    fn a_fresh_machine_starts_at_zero() {
        let s = Stepper::new(false);
        assert_eq!(s.value(), 0);
        assert_eq!(s.increments(), 0);
        assert_eq!(s.program(), &PLAIN);
        for t in 0..THREADS {
            assert_eq!(s.threads()[t], Thread::default());
            assert_eq!(s.next_instr(t), Some(Instr::Load));
        }
        assert_eq!(s.status(), "0 increments, value 0");
        assert_eq!(Stepper::new(true).program(), &LOCKED);
    }

    #[test]
    fn threads_taking_turns_count_everything_and_loop() {
        let mut s = Stepper::new(false);
        let steps = run(&mut s, &[0, 0, 0, 1, 1, 1, 0, 0, 0]);
        assert!(steps.iter().all(|st| st.lost.is_none()));
        assert_eq!(
            steps[..3]
                .iter()
                .map(|st| st.words.as_str())
                .collect::<Vec<_>>(),
            [
                "thread 0 loads 0",
                "thread 0 adds 1: its register is 1",
                "thread 0 stores 1"
            ]
        );
        assert_eq!((s.value(), s.increments(), s.missing()), (3, 3, 0));
        assert_eq!(s.threads()[0].stores, 2);
        assert_eq!(s.threads()[0].pc, 0, "back to the top of the loop");
        assert_eq!(s.status(), "3 increments, value 3");
    }

    #[test]
    fn two_loads_of_the_same_value_lose_an_update() {
        let mut s = Stepper::new(false);
        run(&mut s, &[0, 1]);
        assert_eq!(s.threads()[0].register, Some(0));
        assert_eq!(s.threads()[1].register, Some(0));
        let steps = run(&mut s, &[0, 0, 1, 1]);
        assert_eq!(
            steps[1].lost, None,
            "thread 0 stores first: nothing lost yet"
        );
        let lost = steps[3]
            .lost
            .expect("thread 1's STORE writes over thread 0's");
        assert_eq!(
            lost,
            Lost {
                thread: 1,
                loaded: 0,
                stored: 1,
                over: 0,
                over_value: 1
            }
        );
        assert_eq!(
            steps[3].words,
            "thread 1 stored 1 over thread 0's 1: one update lost: \
             thread 0 stored after thread 1 loaded 0"
        );
        assert_eq!((s.value(), s.increments(), s.missing()), (1, 2, 1));
        assert_eq!(s.lost(), &[lost]);
        assert_eq!(s.status(), "2 increments, value 1: 1 missing");
    }

    #[test]
    fn a_late_store_throws_away_every_update_since_its_load() {
        let mut s = Stepper::new(false);
        s.step(0).unwrap();
        for _ in 0..5 {
            run(&mut s, &[1, 1, 1]);
        }
        assert_eq!(s.value(), 5);
        let steps = run(&mut s, &[0, 0]);
        let lost = steps[1].lost.unwrap();
        assert_eq!(lost.updates(), 5);
        assert_eq!(
            lost.words(),
            "thread 0 stored 1 over thread 1's 5: 5 updates lost"
        );
        assert_eq!((s.value(), s.increments(), s.missing()), (1, 6, 5));
    }

    #[test]
    fn the_lock_refuses_the_other_thread_and_says_why() {
        let mut s = Stepper::new(true);
        assert_eq!(s.step(0).unwrap().words, "thread 0 takes the lock");
        assert_eq!(s.holder(), Some(0));
        let before = s.clone();
        let refused = s.step(1).unwrap_err();
        assert_eq!(
            refused.words,
            "thread 1 waits: thread 0 holds the lock between its LOAD and its STORE"
        );
        assert_eq!(s, before, "a refused step changes nothing");
        run(&mut s, &[0, 0, 0]);
        assert_eq!(
            s.step(1).unwrap_err().words,
            "thread 1 waits: thread 0 holds the lock until its RELEASE"
        );
        assert_eq!(s.step(0).unwrap().words, "thread 0 lets the lock go");
        assert_eq!(s.holder(), None);
        assert_eq!(s.step(1).unwrap().words, "thread 1 takes the lock");
        assert!(s.can_step(0).is_err(), "now thread 0 waits");
        assert_eq!(s.value(), 1);
    }

    /// xorshift: schedules without a dependency.
    fn schedules(seed: u64, n: usize) -> Vec<usize> {
        let mut x = seed;
        (0..n)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                (x % THREADS as u64) as usize
            })
            .collect()
    }

    #[test]
    fn with_the_lock_no_schedule_loses_an_update() {
        for seed in 1..200 {
            let mut s = Stepper::new(true);
            for t in schedules(seed, 300) {
                // A refused step is the student's click on a waiting thread.
                let _ = s.step(t);
            }
            assert!(s.lost().is_empty(), "seed {seed}");
            assert_eq!(s.value(), s.increments(), "seed {seed}");
        }
    }

    #[test]
    fn without_it_every_missing_increment_is_a_told_loss() {
        let mut losses = 0;
        for seed in 1..200 {
            let mut s = Stepper::new(false);
            for t in schedules(seed, 300) {
                s.step(t).unwrap();
            }
            // Each STORE moves value by (loaded + 1 − what it overwrote).
            // A stale STORE can also set value back below what another
            // loaded, so the sum is signed.
            let erased: i64 = s
                .lost()
                .iter()
                .map(|l| l.over_value as i64 - l.loaded as i64)
                .sum();
            assert_eq!(s.missing() as i64, erased, "seed {seed}");
            losses += s.lost().len();
        }
        assert!(losses > 0);
    }

    #[test]
    fn reset_keeps_the_lock_and_switching_it_starts_again() {
        let mut s = Stepper::new(true);
        run(&mut s, &[0, 0]);
        s.reset();
        assert_eq!(s, Stepper::new(true));
        run(&mut s, &[0, 0]);
        s.set_lock(false);
        assert_eq!(s, Stepper::new(false));
        assert!(!s.uses_lock());
    }

    #[test]
    fn there_are_two_threads() {
        let mut s = Stepper::new(false);
        assert_eq!(s.step(2).unwrap_err().words, "there is no thread 2");
        assert_eq!(s.next_instr(2), None);
        assert_eq!(Instr::Store.name(), "STORE");
        assert_eq!(Instr::Load.meaning(), "copy value into the register");
    }
}
