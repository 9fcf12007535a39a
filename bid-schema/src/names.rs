//! TODO(owner): see the module plan.
