from yangfan.cli import main

raise SystemExit(main())
