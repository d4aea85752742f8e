from gridwatch.cli.app import main

main()
