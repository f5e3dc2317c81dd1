"""Reading the project's files into typed models: configuration (``config``),
posts (``posts``), with YAML that keeps lines (``yamlfile``) and validation
that speaks people's language (``validate``). ``smmgen.load`` is the entry."""
