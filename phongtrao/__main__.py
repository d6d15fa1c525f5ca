from phongtrao.cli import main

main()
