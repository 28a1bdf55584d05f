"""The cluster side: reconcile-job dispatch and the reconcile worker. Imports only `resolver`
(and the store's queue where unavoidable)."""
