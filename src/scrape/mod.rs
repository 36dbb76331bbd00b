//! Browsers for reading platforms: the WebDriver session pool.

pub mod pool;

pub use pool::{BrowserPool, BrowserSettings, PoolBusy, Slot};
