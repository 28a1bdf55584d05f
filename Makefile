# The two commands of the README's quick start.
.PHONY: demo test
demo:  ## install, then validate and compose the bundled example workspaces
	bash scripts/demo.sh
test:  ## install everything (PostgreSQL, Python deps) and run the whole suite
	bash scripts/test.sh
