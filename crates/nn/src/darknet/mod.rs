//! Darknet's file formats: `.cfg` network descriptions and `.weights` parameter files.

pub mod cfg;
pub mod model;
pub mod weights;
