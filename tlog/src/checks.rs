//! Every check id of the `tlog` plugin, in one place: those of [`TlogReceiptPlugin`]
//! (`tlog.receipt.*`), those the `log mirror` and `log verify-inclusion` commands report under
//! the plugin's name (`tlog.mirror.*`), and the receipt checks [`receipt_checks`] adds to other
//! plugins' reports (built by [`log_receipt`] and [`log_entry`]).
//!
//! [`TlogReceiptPlugin`]: crate::TlogReceiptPlugin
//! [`receipt_checks`]: crate::receipt_checks

/// `tlog.receipt.checkpoint`: the receipt's checkpoint is signed by the log's key.
pub const RECEIPT_CHECKPOINT: &str = "tlog.receipt.checkpoint";
/// `tlog.receipt.inclusion`: the receipt's entry is its leaf of the signed tree.
pub const RECEIPT_INCLUSION: &str = "tlog.receipt.inclusion";
/// `tlog.mirror.sync`: the mirror was brought up to the remote's verified checkpoint.
pub const MIRROR_SYNC: &str = "tlog.mirror.sync";
/// `tlog.mirror.rollback`: the remote checkpoint is older than the mirrored one.
pub const MIRROR_ROLLBACK: &str = "tlog.mirror.rollback";
/// `tlog.mirror.split-view`: the remote tree does not extend the mirrored one.
pub const MIRROR_SPLIT_VIEW: &str = "tlog.mirror.split-view";
/// `tlog.mirror.remote`: the remote served something that fails verification.
pub const MIRROR_REMOTE: &str = "tlog.mirror.remote";
/// `tlog.mirror.inclusion`: an entry is in the mirrored (verified) tree.
pub const MIRROR_INCLUSION: &str = "tlog.mirror.inclusion";

/// `PLUGIN.log.receipt`: the receipt's checkpoint is signed by the log's key and includes its
/// entry.
pub fn log_receipt(plugin: &str) -> String {
    format!("{plugin}.log.receipt")
}

/// `PLUGIN.log.entry`: the receipt's entry records the subject and signature being verified.
pub fn log_entry(plugin: &str) -> String {
    format!("{plugin}.log.entry")
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_id_is_a_valid_check_id() {
        let own = [
            super::RECEIPT_CHECKPOINT,
            super::RECEIPT_INCLUSION,
            super::MIRROR_SYNC,
            super::MIRROR_ROLLBACK,
            super::MIRROR_SPLIT_VIEW,
            super::MIRROR_REMOTE,
            super::MIRROR_INCLUSION,
        ];
        for id in own {
            assert!(plugin_api::is_valid_check_id(id), "{id}");
            assert!(id.starts_with("tlog."), "{id}");
        }
        for id in [super::log_receipt("x509"), super::log_entry("cosign")] {
            assert!(plugin_api::is_valid_check_id(&id), "{id}");
        }
    }
}
