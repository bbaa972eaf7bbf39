import { smokeSuite } from './smoke';
import { openWebKit } from './webkit';

// WebKit, Safari's engine: WebKitGTK's MiniBrowser driven by WebKitWebDriver under Xvfb.
smokeSuite(openWebKit, 'webkit');
