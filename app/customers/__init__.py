"""The customer file (客户档案) and the 档案准确率 audit: read views over the pipeline, care, survey and call tables."""
