# METADATA
# title: Review stale
# description: |
#   Checks that the manifest has not changed since its review was signed: the digest stored in
#   spec.review.digest must equal the manifest's current digest (sha256 of the JCS form of the
#   manifest without review.digest and review.signature; see manifest-v1). A review is evidence
#   for the manifest as the reviewer saw it; once a permission, credential, owner or even the
#   review's own reviewer or date changes, the approval no longer covers what is deployed, and
#   access could be widened under an old sign-off. Reformatting, reordering keys or editing
#   comments does not change the digest. The rule applies when the review stores a digest; the
#   current digest is computed by agentgate (data.agentgate.facts).
#
#   In partial runs (--changed-since, --staged) a review is also stale when it is superseded:
#   dated before the review of the same agent at the base revision (facts.baseReview). Restoring
#   an older, once-signed version of a manifest (a rollback to wider access that was later
#   narrowed and signed again) brings its old, valid signature back with it; the newer review on
#   the base is the one that counts.
# custom:
#   id: AG042
#   slug: review-stale
#   family: review
#   severity: error
#   summary: The manifest changed after its security review was signed, or the review is older than the base's
#   fix: >-
#     Have the change reviewed (agentgate diff --base REV shows what it grants or removes), then
#     sign the review again with agentgate review sign FILE --reviewer EMAIL, which stores the
#     new digest and signature.
#   example: |
#     review:
#       reviewer: sec-review@example.com
#       date: 2026-11-02
#       digest: sha256:c5e3e349ac6b0083cf4877baa0a1026617476009828a4e532c6ea9427d569b4c   # agentgate review digest FILE
#   controls:
#     - nist-800-53:CM-3
#     - nist-800-53:CM-4
#     - nist-800-53:CA-6
#     - iso27001:A.8.32
#     - soc2:CC8.1
#     - nist-ai-rmf:MEASURE-2.7
#     - nist-ai-rmf:MANAGE-1.1
#     - eu-ai-act:Art.15
package agentgate.rules.ag042_review_stale

import rego.v1

import data.agentgate.lib.facts

deny contains {"msg": msg, "path": "/spec/review/digest"} if {
	stored := input.spec.review.digest
	is_string(stored)
	current := facts.digest
	stored != current
	msg := sprintf("the manifest changed after the review was signed: the review covers %s, the manifest is now %s", [stored, current])
}

deny contains {"msg": msg, "path": "/spec/review/date"} if {
	base := facts.baseReview
	is_number(base.ageSeconds)
	age := facts.reviewAgeSeconds
	is_number(age)
	age > base.ageSeconds
	msg := sprintf("superseded: the review is dated %s, before the review of this agent at the base revision (%s, by %s): a restored older review does not cover this change", [input.spec.review.date, base.date, base.reviewer])
}
