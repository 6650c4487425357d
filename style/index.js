import './base.css';
import './lab.css';
import './explorer.css';
