# METADATA
# title: Review signature invalid
# description: |
#   Checks that the security review is signed, and that its signature verifies: an OpenSSH
#   signature (namespace agentgate-review) over the digest stored in the review, made with a key
#   that the configured allowed_signers file trusts for the reviewer, valid on the review date.
#   An unsigned review is only a claim that someone looked: anyone who can edit the file can
#   write a reviewer's name and a date. The signature ties the review to the reviewer's own key,
#   which an auditor re-checks with stock ssh-keygen -Y verify. Without an allowed_signers file
#   (settings.allowedSigners) no signature can be verified, so every review fails this rule. The
#   verdict and its reason (no signature, no allowed_signers configured, unknown principal, wrong
#   namespace, bad signature, key outside its validity window, unsupported key type, malformed
#   signature, backdated) are computed by agentgate (data.agentgate.facts). A signature over an
#   outdated digest is still valid here: that review is stale (AG042), not forged.
#
#   The review date is chosen by whoever writes the file, so in partial runs (--changed-since,
#   --staged) a review that the change adds or alters (it differs from the base revision's
#   review of the same agent) is verified with the key's validity window judged today, not at
#   its stated date (a key past its valid-before cannot sign a new review by dating it early),
#   and it is backdated when dated more than settings.maxReviewBackdate (default 7d) before
#   today. Reviews already on the base are judged at their date, as are all reviews in full
#   runs, which have no base revision.
# custom:
#   id: AG041
#   slug: review-signature-invalid
#   family: review
#   severity: error
#   summary: The security review is not signed, or its signature does not verify for the reviewer
#   fix: >-
#     Have the reviewer sign the review with their own SSH key (agentgate review sign FILE
#     --reviewer EMAIL), and list that key for the reviewer's email in the allowed_signers file
#     named by settings.allowedSigners.
#   example: |
#     review:
#       reviewer: sec-review@example.com
#       date: 2026-11-02
#       digest: sha256:c5e3e349ac6b0083cf4877baa0a1026617476009828a4e532c6ea9427d569b4c
#       signature: |
#         -----BEGIN SSH SIGNATURE-----
#         U1NIU0lHAAAAAQAAADMAAAALc3NoLWVkMjU1MTkAAAAg…
#         -----END SSH SIGNATURE-----
#   controls:
#     - nist-800-53:CA-6
#     - nist-800-53:CM-3
#     - iso27001:A.8.25
#     - iso27001:A.8.32
#     - soc2:CC8.1
#     - nist-ai-rmf:MANAGE-1.1
#     - eu-ai-act:Art.15
package agentgate.rules.ag041_review_signature_invalid

import rego.v1

import data.agentgate.lib.facts

deny contains {"msg": msg, "path": "/spec/review/signature"} if {
	is_object(input.spec.review)
	verdict := facts.review
	verdict.signature != "valid"
	msg := sprintf("%s: %s", [verdict.reason, verdict.detail])
}
