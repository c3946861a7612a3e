package mixed

import _ "github.com/Example/Mixed/v2/sub"
