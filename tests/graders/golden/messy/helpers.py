import os, sys, re, json
import numpy as np
import pandas as pd
from collections import *

def CleanText(t):
    try:
        t=t.lower()
    except:
        print("could not lower", t)
    t=re.sub("\s+"," ",t)
    return t

def loadData(p):
    print("loading",p)
    if os.path.exists(p)==False:
        p = "/home/dave/Downloads/tickets/train.csv"
    df=pd.read_csv(p,dtype=str,keep_default_na=False)
    print(df.shape)
    return df

def fix_rows(df):
    for i in range(len(df)):
        s = df.loc[i,'subject']
        if s == None:
            s = ''
        s = s.strip()
        s = s.replace('RE:', '')
        s = s.replace('Re:', '')
        s = s.replace('FW:', '')
        s = s.replace('Fwd:', '')
        df.loc[i,'subject'] = s
    for i in range(len(df)):
        b = df.loc[i,'body']
        if b == None:
            b = ''
        b = b.strip()
        b = b.replace('RE:', '')
        b = b.replace('Re:', '')
        b = b.replace('FW:', '')
        b = b.replace('Fwd:', '')
        df.loc[i,'body'] = b
    return df
