from smmgen.cli import main

main()
