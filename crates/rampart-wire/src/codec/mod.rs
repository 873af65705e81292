//! Runtime support for generated AWS JSON codecs (being written).
