from retreat.cli.main import main

main()
